#pragma once
/// Sending an image to a host without a registry (`registry.direct`, spec section 7): a
/// `docker save`-format tar that `docker load` / `podman load` read on stdin, composed on the fly
/// from the local store, holding only the layers the host lacks.
///
/// Why this works. `docker load` (image/tarexport/load.go) walks the config's rootfs.diff_ids and,
/// for each layer, first looks the layer chain up in its own layer store; only a chain it does not
/// have is read from the tar. So the manifest.json of the tar names every layer, but the files of
/// the layers the host already has (same chain: same diff IDs from the bottom up) are left out.
/// Each layer that is sent is verified by the runtime against the config's diff ID (it refuses
/// "invalid diffID"), and the image it creates has the config's digest as its ID. The tar carries
/// no RepoTags: the image is loaded untagged and tagged by that ID afterwards
/// (remote::load_image), so a host never has `<image>:<tag>` pointing at anything unverified, and
/// an interrupted stream leaves no tag at all (docker unpacks the whole tar before it registers
/// anything).
///
/// Layers are sent as the store keeps them (gzip), so nothing is compressed per host.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "oci/digest.hpp"
#include "oci/image_store.hpp"
#include "oci/manifest.hpp"

namespace hoist::oci {

struct ArchiveLayer {
    Digest diff_id;       ///< uncompressed digest (config rootfs.diff_ids)
    Descriptor blob;      ///< as stored (compressed)
};

/// An image of the local store, described for direct sending.
struct ArchiveImage {
    std::string store_dir;
    std::string ref;          ///< image:tag it is loaded as
    Descriptor config;
    std::vector<ArchiveLayer> layers;
    std::int64_t config_size() const { return config.size; }
};

/// Reads `ref` from the store. Throws hoist::Error (exit 5) when it is not there, or when a layer's
/// media type is one docker load cannot read.
ArchiveImage archive_image(const ImageStore& store, const std::string& ref);

/// How many of `image`'s layers (from the bottom) a host already has, given the diff-ID lists of
/// the images it holds. Layers are chains: a host has layer k only with layers 0..k-1 below it.
std::size_t layers_present(const ArchiveImage& image, const std::vector<std::vector<std::string>>& host_chains);

/// What a host needs, from its answer to remote::image_layer_lists. Podman hosts get every layer
/// (podman load opens each file the tar's manifest names); `has_image`: the host holds this very
/// image (its ID is the config digest), so only a tag is needed.
struct HostNeed {
    std::size_t first = 0;  ///< layers [first, n) are sent
    bool has_image = false;
};
HostNeed host_need(const ArchiveImage& image, const std::vector<std::vector<std::string>>& layer_lists,
                   const std::vector<std::string>& image_ids, bool podman);

/// Bytes sent when layers [first, n) are sent (layer blobs; the tar's headers are not counted).
std::int64_t bytes_to_send(const ArchiveImage& image, std::size_t first);

/// The tar stream: manifest.json, the config, then the layers from `first` on, each file as it is
/// in the store. read() returns 0 at the end. Throws hoist::Error (exit 5) when a blob is missing
/// from the store or has changed size.
class ArchiveStream {
public:
    ArchiveStream(const ArchiveImage& image, std::size_t first);
    ~ArchiveStream();
    ArchiveStream(const ArchiveStream&) = delete;
    ArchiveStream& operator=(const ArchiveStream&) = delete;

    std::size_t read(char* out, std::size_t cap);
    std::int64_t bytes_read() const { return m_total; }

    /// The manifest.json document (exposed for tests).
    static std::string manifest_json(const ArchiveImage& image);

private:
    struct Member {
        std::string name;
        std::string inline_bytes;  ///< manifest.json
        std::string path;          ///< store file (config, layers)
        std::int64_t size = 0;
    };
    bool next_member();
    std::vector<Member> m_members;
    std::size_t m_index = 0;
    std::string m_pending;  ///< header / padding / inline content still to hand out
    std::FILE* m_file = nullptr;
    std::int64_t m_left = 0;  ///< of the current file
    std::int64_t m_total = 0;
    bool m_done = false;
};

/// A ustar header block for a regular file (exposed for tests).
std::string tar_header(const std::string& name, std::int64_t size);

}  // namespace hoist::oci
