#pragma once
// What every subcommand shares: the global flags, the output, and loading the pipeline file.
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <CLI/CLI.hpp>

#include "config/loader.hpp"
#include "report/output.hpp"
#include "ssh/fleet.hpp"
#include "util/error.hpp"

namespace hoist::cli {

struct GlobalOptions {
    std::string file = "hoist.yml";
    std::string stage;
    std::string hosts;  ///< comma-separated
    std::string output = "human";
    bool no_color = false;
    bool verbose = false;
    bool quiet = false;
};

struct Context {
    GlobalOptions global;
    std::unique_ptr<report::Output> out;
    std::string command;              ///< the subcommand chosen
    std::function<int()> run;         ///< set by the chosen subcommand's callback
    std::mutex out_mutex;             ///< for output from several hosts' threads

    /// Builds `out` from the global flags (called once after parsing).
    void init_output();
    /// Loads the pipeline; prints every diagnostic; throws Error(usage) when there are errors.
    config::Pipeline load_pipeline();
    /// SSH connections to the pipeline's hosts (every host of the file when `all`), warnings printed.
    std::unique_ptr<ssh::Fleet> fleet(const config::Pipeline& p, bool all);
    /// Prints diagnostics (FILE:LINE:COL: message) to stderr and, in JSON mode, as events.
    void print_diagnostics(const config::Diagnostics& diags);
};

/// Registers a subcommand whose capability this build does not have yet: it says so and exits 2.
void not_available(Context& ctx, const std::string& what);

void register_init(CLI::App& app, Context& ctx);
void register_validate(CLI::App& app, Context& ctx);
void register_plan(CLI::App& app, Context& ctx);
void register_build(CLI::App& app, Context& ctx);
void register_push(CLI::App& app, Context& ctx);
void register_deploy(CLI::App& app, Context& ctx);
void register_rollback(CLI::App& app, Context& ctx);
void register_status(CLI::App& app, Context& ctx);
void register_exec(CLI::App& app, Context& ctx);
void register_logs(CLI::App& app, Context& ctx);
void register_lock(CLI::App& app, Context& ctx);
void register_history(CLI::App& app, Context& ctx);
void register_version(CLI::App& app, Context& ctx);

}  // namespace hoist::cli
