#include "deploy/build_image.hpp"

#include <cstdlib>
#include <filesystem>

#include "image/docker_builder.hpp"
#include "registry/reference.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

namespace fs = std::filesystem;
using namespace hoist::image;

std::int64_t source_date_epoch() {
    const char* s = std::getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s) return 0;
    auto v = parse_int(s);
    if (!v || *v < 0) throw usage_error(std::string("SOURCE_DATE_EPOCH=") + s + " is not a Unix time in seconds");
    return *v;
}

image::BuildResult build_pipeline_image(const config::Pipeline& p, const std::string& tag, oci::ImageStore& store,
                                        const image::StepCallback& on_step) {
    if (!p.build) throw usage_error(p.file + ": the pipeline has no build section; nothing to build");
    const auto& b = *p.build;
    NativeBuildOptions o;
    fs::path context = fs::path(p.directory.empty() ? "." : p.directory) / b.context;
    o.context_dir = fs::weakly_canonical(context).string();
    o.dockerfile = (fs::path(o.context_dir) / b.dockerfile).string();
    o.dockerfile_name = b.dockerfile;
    o.build_args = b.args;
    o.labels = b.labels;
    o.platform = b.platform;
    o.reference = p.image_ref(tag);
    o.source_date_epoch = source_date_epoch();
    if (!fs::is_directory(o.context_dir))
        throw Error(ExitCode::build_push, p.file + ": build.context " + o.context_dir + " is not a directory");
    auto ref = registry::Reference::parse(o.reference);
    o.registry.insecure = p.registry.insecure;
    o.registry.pipeline_registry = ref.registry;
    if (p.registry.has_credentials()) {
        o.registry.pipeline_credentials.username = p.registry.username;
        o.registry.pipeline_credentials.password = p.registry.password;
        o.registry.pipeline_credentials.source = "pipeline";
    }
    if (b.builder == config::Builder::docker) {
        // The Engine's own progress lines are passed on as "output" steps.
        return build_with_docker(o, "", store, [&](const std::string& line) {
            StepEvent e;
            e.outcome = "output";
            e.instruction = line;
            if (on_step) on_step(e);
        });
    }
    return build_native(o, store, on_step);
}

}  // namespace hoist::deploy
