#include "deploy/artifact.hpp"

#include <chrono>

#include "aws/ecr.hpp"
#include "aws/error.hpp"
#include "deploy/build_image.hpp"
#include "deploy/progress.hpp"
#include "oci/image_store.hpp"
#include "registry/client.hpp"
#include "registry/push.hpp"
#include "registry/reference.hpp"
#include "registry/sources.hpp"
#include "util/error.hpp"

namespace hoist::deploy {

using Clock = std::chrono::steady_clock;

namespace {
std::string ecr_source(const aws::EcrRegistry& r) {
    return "an ECR authorization token (GetAuthorizationToken, " + r.region + ")";
}
}  // namespace

registry::Credentials registry_credentials(const config::Pipeline* p, const std::string& registry) {
    if (p && p->registry.has_credentials() && p->registry_host() == registry) {
        registry::Credentials c;
        c.username = p->registry.username;
        c.password = p->registry.password;
        c.source = "the pipeline's registry settings";
        return c;
    }
    auto ecr = aws::parse_ecr_host(registry);
    if (ecr && !(p && p->registry.direct)) {  // registry.direct: no registry is spoken to
        try {
            aws::EcrToken t = aws::ecr_token(registry);
            registry::Credentials c;
            c.username = t.username;
            c.password = std::move(t.password);
            c.source = ecr_source(*ecr);
            return c;
        } catch (const aws::Error& e) {
            // A runner that ran `docker login` (or has a helper) without AWS keys of hoist's own
            auto c = registry::credentials_from_docker_config(registry, registry::docker_config_dir());
            if (!c.anonymous()) return c;
            throw Error(ExitCode::build_push, e.what());
        }
    }
    return registry::credentials_from_docker_config(registry, registry::docker_config_dir());
}

registry::Credentials pipeline_credentials(const config::Pipeline& p) {
    return registry_credentials(&p, p.registry_host());
}

registry::Credentials planned_credentials(const config::Pipeline& p) {
    auto ecr = aws::parse_ecr_host(p.registry_host());
    if (p.registry.has_credentials() || !ecr) return pipeline_credentials(p);
    registry::Credentials c;
    c.username = "AWS";
    c.source = ecr_source(*ecr);
    return c;
}

namespace {

std::int64_t since(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

}  // namespace

std::shared_ptr<const oci::ArchiveImage> direct_image(const config::Pipeline& p, const std::string& tag, bool required) {
    oci::ImageStore store(oci::ImageStore::default_dir());
    std::string ref = p.image_ref(tag);
    if (!store.resolve(ref)) {
        if (!required) return nullptr;
        throw Error(ExitCode::build_push, "no " + ref + " in the local image store " + store.dir() +
                                              " to send to the hosts (registry.direct)" +
                                              (p.build ? "; run without --skip-build" : "; build it with `hoist build`"));
    }
    return std::make_shared<const oci::ArchiveImage>(oci::archive_image(store, ref));
}

ArtifactResult build_and_push(const config::Pipeline& p, const std::string& tag, const ArtifactOptions& o,
                              report::Output& out) {
    ArtifactResult res;
    oci::ImageStore store(oci::ImageStore::default_dir());
    std::string ref = p.image_ref(tag);
    if (o.build && p.build) {
        auto t0 = Clock::now();
        out.info("build: " + ref + " (" + config::to_string(p.build->builder) + " builder)");
        auto r = build_pipeline_image(p, tag, store, build_progress(out, Progress::verbose));
        for (auto& w : r.warnings) out.warning(w);
        res.built = true;
        res.build_ms = since(t0);
        out.info("build: " + ref + "@" + r.manifest.digest.str() + " (" + std::to_string(r.layers_built) + " built, " +
                 std::to_string(r.layers_cached) + " cached) in " + std::to_string(res.build_ms) + " ms");
        out.event("built", {{"image", ref}, {"digest", r.manifest.digest.str()}, {"duration_ms", res.build_ms}});
    }
    if (!o.push) return res;
    auto t0 = Clock::now();
    auto d = store.resolve(ref);
    if (!d) {
        if (!p.build) return res;  // nothing to push: the tag must already be in the registry
        throw Error(ExitCode::build_push, "no " + ref + " in the local image store " + store.dir() +
                                              " to push; run without --skip-build");
    }
    auto dest = registry::Reference::parse(ref);
    registry::ClientOptions copts;
    copts.insecure = p.registry.insecure;
    copts.max_parallel = o.max_parallel;
    registry::Client client(dest.api_host(), dest.repository, pipeline_credentials(p), copts);
    registry::MountHints hints(store.dir(), dest.api_host());
    PushProgress lines(out, Progress::verbose);
    registry::PushOutcome r;
    try {
        r = registry::push_image(client, dest.tag, registry::plan_from_layout(store, *d), lines, &hints);
    } catch (const Error& e) {
        throw Error(e.code(), "push of " + ref + " failed: " + e.what());
    }
    res.pushed = true;
    res.digest = r.digest.str();
    res.bytes_sent = r.bytes_sent;
    res.push_ms = since(t0);
    out.info("push: " + ref + "@" + res.digest + (r.up_to_date ? " already in the registry" : " pushed") + " in " +
             std::to_string(res.push_ms) + " ms");
    out.event("pushed", {{"image", ref}, {"digest", res.digest}, {"up_to_date", r.up_to_date},
                         {"bytes_sent", r.bytes_sent}, {"duration_ms", res.push_ms}});
    return res;
}

}  // namespace hoist::deploy
