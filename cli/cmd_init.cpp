// hoist init: write a commented starter pipeline, never over an existing file.
#include <filesystem>
#include <fstream>

#include "config/starter.hpp"
#include "context.hpp"

namespace hoist::cli {

void register_init(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("init", "Write a commented starter hoist.yml (refuses to overwrite)");
    static std::string service = "web";
    cmd->add_option("--service", service, "Service name for the starter file")->capture_default_str();
    cmd->callback([&ctx] {
        ctx.command = "init";
        ctx.run = [&ctx] {
            const std::string& path = ctx.global.file;
            std::error_code ec;
            if (std::filesystem::exists(path, ec))
                throw usage_error(path + " already exists; hoist init never overwrites a file (remove it first)");
            std::ofstream f(path, std::ios::binary | std::ios::out);
            f << config::starter_pipeline(service);
            f.close();
            if (!f) throw usage_error("cannot write " + path);
            ctx.out->info("wrote " + path + ": edit hosts, image and load_balancer, then run 'hoist validate'");
            return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "init"}, {"file", path}});
        };
    });
}

}  // namespace hoist::cli
