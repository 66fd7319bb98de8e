// hoist build: build the pipeline's image into the local image store (the layer cache).
#include <chrono>
#include <cstdio>

#include "deploy/build_image.hpp"
#include "deploy/progress.hpp"
#include "context.hpp"
#include "deploy/tag.hpp"
#include "report/units.hpp"

namespace hoist::cli {
namespace {

int run_build(Context& ctx, const std::string& tag_override) {
    auto t0 = std::chrono::steady_clock::now();
    auto p = ctx.load_pipeline();
    std::string tag = deploy::resolve_tag(p, tag_override);
    oci::ImageStore store(oci::ImageStore::default_dir());
    std::string ref = p.image_ref(tag);
    ctx.out->info("building " + ref + " (" + (p.build ? config::to_string(p.build->builder) : "no build") + " builder)");
    ctx.out->event("build_started", {{"image", ref}, {"store", store.dir()}});
    report::Phase phase(*ctx.out, "build");
    image::BuildResult r =
        deploy::build_pipeline_image(p, tag, store, deploy::build_progress(*ctx.out, deploy::Progress::shown));
    // on failure main() reports the error and the summary (exit 5)
    for (auto& w : r.warnings) ctx.out->warning(w);
    ctx.out->end_phase();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    ctx.out->result("built " + ref + "@" + r.manifest.digest.str() + " (" + std::to_string(r.layers_built) +
                    " layers built, " + std::to_string(r.layers_cached) + " cached) in " +
                    report::human_duration_ms(ms) + "\n");
    ctx.out->event("built", {{"image", ref}, {"digest", r.manifest.digest.str()}, {"config", r.config.str()},
                             {"layers_built", r.layers_built}, {"layers_cached", r.layers_cached}});
    return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "build"}, {"service", p.service},
                       {"image", ref}, {"tag", tag}, {"digest", r.manifest.digest.str()}, {"duration_ms", ms},
                       {"phases", {{"build_ms", ms}, {"push_ms", 0}, {"rollout_ms", 0}}},
                       {"hosts", nlohmann::json::array()}});
}

}  // namespace

void register_build(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("build", "Build the image into the local layer cache");
    static std::string tag;
    cmd->add_option("--tag", tag, "Build under this tag instead of the resolved one");
    cmd->callback([&ctx] {
        ctx.command = "build";
        ctx.run = [&ctx] { return run_build(ctx, tag); };
    });
}

}  // namespace hoist::cli
