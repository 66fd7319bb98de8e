#pragma once
/// The image a deploy rolls out: built (when the pipeline has a build section) into the local
/// store and pushed to the registry by hoist's own push engine — the same code `hoist build` and
/// `hoist push` use. Runs on its own thread while the engine connects to the hosts.
#include <cstdint>
#include <memory>
#include <string>

#include "config/pipeline.hpp"
#include "oci/docker_archive.hpp"
#include "registry/credentials.hpp"
#include "report/output.hpp"

namespace hoist::deploy {

struct ArtifactOptions {
    bool build = true;  ///< build first (only when the pipeline has a build section)
    bool push = true;
    int max_parallel = 4;
};

struct ArtifactResult {
    bool built = false, pushed = false;
    std::string digest;  ///< of the pushed manifest, when pushed
    std::int64_t build_ms = 0, push_ms = 0, bytes_sent = 0;
};

/// Credentials for `registry` (host[:port]): the pipeline's own when it is the pipeline's registry
/// (`p` may be null); else, for an ECR registry, a token from ECR (aws/ecr.hpp), falling back to
/// $DOCKER_CONFIG/config.json when that fails and config.json has credentials for it; else
/// config.json. Throws hoist::Error (exit 5) with ECR's error in plain words.
registry::Credentials registry_credentials(const config::Pipeline* p, const std::string& registry);
/// registry_credentials for the pipeline's own registry.
registry::Credentials pipeline_credentials(const config::Pipeline& p);
/// What `hoist plan` shows the hosts pulling with: pipeline_credentials, except that for ECR no
/// token is fetched (a plan needs no AWS access): user AWS and the token's source, no password.
registry::Credentials planned_credentials(const config::Pipeline& p);

/// registry.direct: `<image>:<tag>` of the local store, described for sending to the hosts.
/// `required`: throws hoist::Error (exit 5) when the store lacks it; else nullptr.
std::shared_ptr<const oci::ArchiveImage> direct_image(const config::Pipeline& p, const std::string& tag, bool required);

/// Builds and pushes `<image>:<tag>`. Throws hoist::Error (exit 5) on failure. Output goes through
/// `out`, which must tolerate calls from this thread (it does: one fputs per line).
ArtifactResult build_and_push(const config::Pipeline& p, const std::string& tag, const ArtifactOptions& o,
                              report::Output& out);

}  // namespace hoist::deploy
