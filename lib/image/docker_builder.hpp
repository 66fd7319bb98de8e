#pragma once
/// `builder: docker`: the Docker Engine builds (RUN and everything else), hoist only talks to it.
///
///  1. The build context, after .dockerignore (the Dockerfile and the ignore file are always
///     sent, as the docker CLI does), is written as a tar and streamed to `POST /build` over
///     $DOCKER_HOST (unix socket or tcp) with libcurl — hoist's registry HTTP layer.
///  2. The Engine's JSON progress stream is passed to the caller line by line; an "error" message
///     ends the build with that text (exit 5).
///  3. The image is read back with `GET /images/{name}/get` (registry::save_from_daemon, shared
///     with `hoist push --from docker-daemon:`) and imported into the local store, so hoist's push
///     engine — not `docker push` — uploads it.
#include <functional>
#include <string>

#include "image/native_builder.hpp"
#include "oci/image_store.hpp"

namespace hoist::image {

/// Receives each line of the Engine's build output ("Step 1/4 : FROM ...").
using OutputCallback = std::function<void(const std::string& line)>;

/// How long one `POST /build` may take, output or not (a RUN step can be silent for minutes).
inline constexpr long docker_build_timeout_s = 3600;

/// Builds with the Docker Engine at `docker_host` ("" = $DOCKER_HOST, else the default socket)
/// and tags the result as `options.reference` in `store`.
BuildResult build_with_docker(const NativeBuildOptions& options, const std::string& docker_host,
                              oci::ImageStore& store, const OutputCallback& on_output);

/// Imports the first image of a `docker save` tarball into `store` as a Docker v2 manifest tagged
/// `reference`: layers gzip-compressed (reusing a compression the store already knows for a diff
/// ID), config and manifest stored. Returns the manifest descriptor.
oci::Descriptor import_docker_archive(const std::string& archive, const std::string& reference, oci::ImageStore& store);

}  // namespace hoist::image
