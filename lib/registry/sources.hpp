#pragma once
/// Where `hoist push` takes images from, each turned into a PushPlan:
///
///   (none)                 the local image store (`hoist build`'s output), by full reference
///   oci:DIR[:REF]          any OCI image layout; REF is an `org.opencontainers.image.ref.name`
///   docker-archive:FILE    a `docker save` tarball: configs and *uncompressed* layer tars; each
///                          layer is gzip-compressed while it uploads (in parallel with the others)
///   docker-daemon:IMAGE    the Docker Engine's `GET /images/{name}/get` over $DOCKER_HOST's unix
///                          socket, saved to a temporary file and then read as a docker-archive
///                          (the stream's member order is not guaranteed - manifest.json may come
///                          last - and parallel per-layer reads need random access)
///
/// Layouts keep their manifests' exact bytes. Archives get a Docker v2 schema 2 manifest made
/// here; compressed digests are remembered in the image store (keyed by the uncompressed layer's
/// diff ID), so a re-push knows every digest up front and can skip by manifest HEAD.
#include <functional>
#include <memory>
#include <string>

#include "oci/image_store.hpp"
#include "registry/push.hpp"

namespace hoist::registry {

struct SourceSpec {
    enum class Kind { store, oci_layout, docker_archive, docker_daemon };
    Kind kind = Kind::store;
    std::string location;  ///< directory, file or image name
    std::string ref;       ///< oci: the ref name inside the layout, may be empty
};

/// Parses --from. Throws hoist::Error(usage) on an unknown transport.
SourceSpec parse_source(const std::string& from);

/// The index entry of `ref` in a layout; with `ref` empty, the layout's only entry.
oci::Descriptor select_in_layout(const oci::ImageStore& layout, const std::string& ref);

/// Plan for pushing `top` (a manifest or an index) and everything it references from a layout.
/// The tagged manifest keeps its exact bytes; an index's children are pushed by digest first.
PushPlan plan_from_layout(const oci::ImageStore& layout, const oci::Descriptor& top);

/// Plan for pushing the first image of a docker-archive tarball. `cache` (the image store)
/// remembers compressed layer digests across runs.
PushPlan plan_from_docker_archive(const std::string& file, oci::ImageStore& cache);

/// Saves `image` from the Docker Engine at `docker_host` (unix:///path or tcp://host:port; empty:
/// $DOCKER_HOST, else unix:///var/run/docker.sock) into `out_file`. Throws hoist::Error (exit 5)
/// with the Engine's message, e.g. "No such image: app:v9".
void save_from_daemon(const std::string& image, const std::string& docker_host, const std::string& out_file);

/// An image to push, ready: its plan, a name for people, and what the plan reads while it runs (a
/// layout opened, or the daemon's export in a temporary file, removed with this object).
struct OpenedSource {
    PushPlan plan;
    std::string name;  ///< "oci:DIR", "docker-daemon:app:v1", ...
    std::unique_ptr<oci::ImageStore> layout;
    std::string temp_file;  ///< removed by the destructor
    OpenedSource() = default;
    OpenedSource(const OpenedSource&) = delete;
    OpenedSource& operator=(const OpenedSource&) = delete;
    ~OpenedSource();
};

/// Opens `--from` (not Kind::store: the caller resolves its own reference in the store). `cache`
/// remembers compressed digests of archive layers; `say` tells people what takes a while (the
/// daemon's export). Throws hoist::Error (exit 5) when the source cannot be read.
std::unique_ptr<OpenedSource> open_source(const std::string& from, oci::ImageStore& cache,
                                          const std::function<void(const std::string&)>& say);

/// `hoist push --to-hosts --from`: the plan's blobs written into `store` (a blob whose digest is
/// known and already stored is not read; one read from a layout must hash to the digest its
/// manifest names), then its manifests, the last one tagged `ref`. Returns that manifest's
/// descriptor. Throws hoist::Error (exit 5).
oci::Descriptor import_to_store(const PushPlan& plan, oci::ImageStore& store, const std::string& ref);

}  // namespace hoist::registry
