// hoist push: pushes an image to its registry, from the local image store (what `hoist build`
// produced) or, with --from, from a Docker daemon, a docker-archive tarball or an OCI layout.
#include <chrono>
#include <filesystem>
#include <mutex>

#include "context.hpp"
#include "deploy/artifact.hpp"
#include "deploy/build_image.hpp"
#include "deploy/connect.hpp"
#include "deploy/direct.hpp"
#include "deploy/progress.hpp"
#include "deploy/tag.hpp"
#include "oci/image_store.hpp"
#include "registry/client.hpp"
#include "registry/credentials.hpp"
#include "registry/push.hpp"
#include "registry/reference.hpp"
#include "registry/sources.hpp"
#include "report/units.hpp"
#include "ssh/fleet.hpp"

namespace hoist::cli {

namespace {

struct PushOptions {
    std::string from, to, tag;
    bool insecure = false;
    int max_parallel = 4;
    bool to_hosts = false;
};

/// `hoist push --to-hosts` (spec section 7): the built image into every host's runtime over SSH,
/// only the layers each lacks; no registry involved.
int run_push_to_hosts(Context& ctx, const PushOptions& o) {
    auto t0 = std::chrono::steady_clock::now();
    if (!o.to.empty()) throw usage_error("--to-hosts sends to the pipeline's hosts; --to names a registry: give one");
    auto p = ctx.load_pipeline_with_hosts();
    if (p.hosts.empty()) throw usage_error("this pipeline has no hosts; nothing was sent");
    std::string tag = deploy::resolve_tag(p, o.tag);
    std::string ref = p.image_ref(tag);
    oci::ImageStore store(oci::ImageStore::default_dir());
    std::int64_t build_ms = 0;
    if (!o.from.empty()) {  // an image built elsewhere: into the local store as <image>:<tag>, then sent from there
        report::Phase phase(*ctx.out, "import");
        auto opened = registry::open_source(o.from, store, [&](const std::string& what) { ctx.out->info(what); });
        auto top = registry::import_to_store(opened->plan, store, ref);
        ctx.out->info("imported " + opened->name + " into the local image store as " + ref + " (" + top.digest.str() + ")");
    } else if (!store.resolve(ref) && p.build) {
        auto b0 = std::chrono::steady_clock::now();
        report::Phase phase(*ctx.out, "build");
        ctx.out->info("no " + ref + " in the local image store yet: building it first");
        auto built =
            deploy::build_pipeline_image(p, tag, store, deploy::build_progress(*ctx.out, deploy::Progress::shown));
        for (auto& w : built.warnings) ctx.out->warning(w);
        build_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - b0).count();
    }
    auto img = deploy::direct_image(p, tag, true);
    std::mutex out_mutex;
    auto warn = [&](const std::string& w) {
        std::lock_guard<std::mutex> lock(out_mutex);
        ctx.out->warning(w);
    };
    auto fleet = deploy::connect_fleet(p, warn);
    report::Phase phase(*ctx.out, "send");
    ctx.out->info("sending " + ref + " to " + std::to_string(p.hosts.size()) + " hosts over SSH");
    auto results = deploy::send_to_hosts(p, *fleet, *img, *ctx.out);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    int failed = 0;
    std::int64_t bytes = 0;
    nlohmann::json hosts = nlohmann::json::array();
    for (const auto& r : results) {
        failed += !r.ok;
        bytes += r.bytes;
        hosts.push_back({{"host", r.host}, {"result", r.ok ? "sent" : "failed"}, {"layers_sent", r.layers_sent},
                         {"bytes", r.bytes}, {"duration_ms", r.duration_ms}, {"error", r.error}});
    }
    ctx.out->end_phase(failed > 0);
    if (failed)
        throw Error(ExitCode::build_push, "sending " + ref + " failed on " + std::to_string(failed) + " of " +
                                              std::to_string(results.size()) + " hosts (see above); the others have it");
    ctx.out->result("sent " + ref + " to " + std::to_string(results.size()) + " hosts (" + report::human_bytes(bytes) +
                    ") in " + report::human_duration_ms(ms) + "\n");
    return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "push"}, {"service", p.service},
                       {"image", ref}, {"tag", tag}, {"digest", img->config.digest.str()}, {"duration_ms", ms},
                       {"phases", {{"build_ms", build_ms}, {"push_ms", ms - build_ms}, {"rollout_ms", 0}}},
                       {"hosts", hosts}});
}

int run_push(Context& ctx, const PushOptions& o) {
    auto t0 = std::chrono::steady_clock::now();
    // The pipeline gives the destination, tag and registry settings. With --to it is optional:
    // `hoist push --from docker-daemon:app --to reg/app:v1` works outside a project too.
    std::optional<config::Pipeline> pipeline;
    if (o.to.empty() || std::filesystem::exists(ctx.global.file)) pipeline = ctx.load_pipeline();
    std::string service = pipeline ? pipeline->service : "";

    if (!o.to.empty() && !o.tag.empty()) throw usage_error("--tag and --to both name the destination; give one");
    std::string pipeline_tag = o.to.empty() ? deploy::resolve_tag(*pipeline, o.tag) : "";
    registry::Reference dest = o.to.empty() ? registry::Reference::parse(pipeline->image_ref(pipeline_tag))
                                            : registry::Reference::parse(o.to);
    if (dest.tag.empty()) throw usage_error("--to '" + o.to + "': give a tag to push to");

    // registry.insecure names the pipeline's registry; --to elsewhere needs its own --insecure.
    bool insecure = o.insecure || (pipeline && pipeline->registry.insecure && pipeline->registry_host() == dest.registry);
    registry::Credentials creds = deploy::registry_credentials(pipeline ? &*pipeline : nullptr, dest.registry);
    ctx.mask(creds.password);
    ctx.mask(creds.identity_token);

    oci::ImageStore store(oci::ImageStore::default_dir());
    std::unique_ptr<registry::OpenedSource> opened;  // what the plan reads while it runs
    registry::PushPlan plan;
    std::string source_name;
    std::int64_t build_ms = 0;
    if (o.from.empty()) {
        source_name = "local image store " + store.dir();
        // `hoist build` tags "<pipeline image>:<tag>" as written; dest.str() is its normal form.
        std::string built_ref = pipeline && o.to.empty() ? pipeline->image_ref(pipeline_tag) : dest.str();
        auto d = store.resolve(built_ref);
        if (!d) d = store.resolve(dest.str());
        if (!d && pipeline && pipeline->build && o.to.empty()) {
            // "push the built image (building it first if needed)"
            auto b0 = std::chrono::steady_clock::now();
            report::Phase phase(*ctx.out, "build");
            ctx.out->info("no " + built_ref + " in the local image store yet: building it first");
            auto built = deploy::build_pipeline_image(*pipeline, pipeline_tag, store,
                                                      deploy::build_progress(*ctx.out, deploy::Progress::shown));
            for (auto& w : built.warnings) ctx.out->warning(w);
            build_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - b0).count();
            d = built.manifest;
        }
        if (!d)
            throw Error(ExitCode::build_push, "no image " + dest.str() + " in the " + source_name +
                                                  ": build it first (hoist build) or push one built elsewhere with "
                                                  "--from docker-daemon:IMAGE | docker-archive:FILE | oci:DIR");
        plan = registry::plan_from_layout(store, *d);
    } else {
        opened = registry::open_source(o.from, store, [&](const std::string& what) { ctx.out->info(what); });
        source_name = opened->name;
        plan = std::move(opened->plan);
    }

    registry::ClientOptions copts;
    copts.insecure = insecure;
    copts.max_parallel = o.max_parallel;
    registry::Client client(dest.api_host(), dest.repository, creds, copts);
    registry::MountHints hints(store.dir(), dest.api_host());
    report::Phase phase(*ctx.out, "push");
    deploy::PushProgress reporter(*ctx.out, deploy::Progress::shown);
    ctx.out->info("pushing " + dest.str() + " from " + source_name);
    ctx.out->event("push_started", {{"image", dest.str()}, {"source", source_name}, {"blobs", plan.blobs.size()}});
    registry::PushOutcome r;
    try {
        r = registry::push_image(client, dest.tag, std::move(plan), reporter, &hints);
    } catch (const Error& e) {
        throw Error(e.code(), "push of " + dest.str() + " failed: " + e.what());
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();

    int uploaded = 0, mounted = 0, existed = 0;
    for (auto& b : r.blobs)
        (b.action == registry::BlobAction::uploaded ? uploaded : b.action == registry::BlobAction::mounted ? mounted : existed)++;
    std::string summary = r.up_to_date
        ? dest.str() + "@" + r.digest.str() + " is already in the registry; nothing sent"
        : "pushed " + dest.str() + "@" + r.digest.str() + " (" + std::to_string(uploaded) + " uploaded, " +
              std::to_string(mounted) + " mounted, " + std::to_string(existed) + " already there; " +
              report::human_bytes(r.bytes_sent) + " sent)";
    ctx.out->end_phase();
    ctx.out->result(summary + " in " + report::human_duration_ms(ms) + "\n");
    ctx.out->event("pushed", {{"image", dest.str()}, {"digest", r.digest.str()}, {"up_to_date", r.up_to_date},
                              {"bytes_sent", r.bytes_sent}, {"uploaded", uploaded}, {"mounted", mounted},
                              {"existed", existed}});
    return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "push"}, {"service", service},
                       {"image", dest.str()}, {"tag", dest.tag}, {"digest", r.digest.str()}, {"duration_ms", ms},
                       {"phases", {{"build_ms", build_ms}, {"push_ms", ms - build_ms}, {"rollout_ms", 0}}},
                       {"hosts", nlohmann::json::array()}});
}

}  // namespace

void register_push(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("push", "Push the built image (building it first if needed)");
    static PushOptions opts;
    cmd->add_option("--from", opts.from, "Push an image built elsewhere: docker-daemon:IMAGE | docker-archive:FILE | oci:DIR[:REF]");
    cmd->add_option("--to", opts.to, "Destination reference REGISTRY/REPO:TAG (default: the pipeline's image and tag)");
    cmd->add_option("--tag", opts.tag, "Push this tag of the pipeline's image instead of the resolved one");
    cmd->add_flag("--insecure", opts.insecure, "Allow plain HTTP and unverified TLS to the destination registry (as registry.insecure: true does for the pipeline's)");
    cmd->add_flag("--to-hosts", opts.to_hosts,
                  "Send the image to the pipeline's hosts over SSH instead of a registry (only the layers each "
                  "host lacks; registry.direct); with --from, the image built elsewhere is imported into the "
                  "local image store first");
    cmd->add_option("--max-parallel", opts.max_parallel, "Blobs uploaded at once")->check(CLI::Range(1, 64))->capture_default_str();
    cmd->callback([&ctx] {
        ctx.command = "push";
        ctx.run = [&ctx] { return opts.to_hosts ? run_push_to_hosts(ctx, opts) : run_push(ctx, opts); };
    });
}

}  // namespace hoist::cli
