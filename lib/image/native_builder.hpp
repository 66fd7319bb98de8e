#pragma once
/// The native builder: a Dockerfile without RUN turned into an image in the local store, with no
/// daemon. Metadata instructions change the config; COPY, ADD and WORKDIR add layers, each reused
/// from the layer cache when its inputs are unchanged. Anything it cannot do faithfully (RUN,
/// multi-stage, ADD from a URL, ...) stops the build with "Dockerfile:LINE: ..." naming
/// `builder: docker` — never a silent skip.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "image/base_image.hpp"
#include "oci/image_store.hpp"
#include "oci/manifest.hpp"

namespace hoist::image {

struct NativeBuildOptions {
    std::string context_dir;     ///< absolute or relative to the working directory
    std::string dockerfile;      ///< path of the Dockerfile (already resolved)
    std::string dockerfile_name = "Dockerfile";  ///< how messages name it
    std::map<std::string, std::string> build_args;
    std::map<std::string, std::string> labels;  ///< added last (like `docker build --label`)
    std::string platform = "linux/amd64";
    std::string reference;  ///< the store tag: "registry/repo:tag"
    std::int64_t source_date_epoch = 0;
    RegistryAccess registry;
};

/// One instruction done, for progress lines and JSON events.
struct StepEvent {
    int index = 0;  ///< 1-based
    int total = 0;
    int line = 0;
    std::string instruction;  ///< as written
    std::string outcome;      ///< "config", "cached", "built", "base"; "output": a line of the Docker Engine's output
    std::string detail;       ///< e.g. "3 files, 1.2 MB -> 0.4 MB"
    double seconds = 0;
};

struct BuildResult {
    oci::Descriptor manifest;
    oci::Digest config;
    int layers_built = 0;
    int layers_cached = 0;
    std::vector<std::string> warnings;
};

using StepCallback = std::function<void(const StepEvent&)>;

/// Builds and tags `options.reference` in `store`. Throws hoist::Error (exit 5) located in the
/// Dockerfile when an instruction fails.
BuildResult build_native(const NativeBuildOptions& options, oci::ImageStore& store, const StepCallback& on_step);

}  // namespace hoist::image
