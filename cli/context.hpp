#pragma once
// What every subcommand shares: the global flags, the output, and loading the pipeline file.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "report/output.hpp"
#include "ssh/fleet.hpp"
#include "util/error.hpp"

namespace hoist::cli {

struct GlobalOptions {
    std::string file = "hoist.yml";
    std::string stage;
    std::string hosts;  ///< comma-separated
    std::string roles;  ///< comma-separated (spec section 6)
    std::string output = "human";
    bool no_color = false;
    bool verbose = false;
    bool quiet = false;
    std::vector<std::string> reports;  ///< --report KIND=FILE, as given (checked at parse time)
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
    /// load_pipeline(), then hosts from EC2 tags resolved now (`hosts: {ec2: ...}`), --hosts applied
    /// to them: what every command that works on hosts starts from.
    /// (deploy::resolve_hosts). `announce`: say which hosts EC2 gave (plan prints them its own way).
    config::Pipeline load_pipeline_with_hosts(bool announce = true);
    /// --hosts as a list (empty: every host).
    std::vector<std::string> only_hosts() const;
    /// --roles as a list (empty: every role).
    std::vector<std::string> only_roles() const;
    /// SSH connections to the pipeline's hosts (every host of the file when `all`), warnings printed.
    std::unique_ptr<ssh::Fleet> fleet(const config::Pipeline& p, bool all);
    /// Prints diagnostics (FILE:LINE:COL: message) to stderr and, in JSON mode, as events; under
    /// GitHub Actions also as annotations on the file position.
    void print_diagnostics(const config::Diagnostics& diags);

    /// Masks every secret a pipeline brings: registry.password, the values of container.secret_env
    /// in hoist's environment, the SSH key passphrase.
    void mask_pipeline_secrets(const config::Pipeline& p);
    /// Registers a secret with the GitHub Actions log masker (nothing outside GitHub Actions).
    /// Call it as soon as hoist holds the value, before anything that could print it.
    void mask(const Secret& secret) { out->mask(secret); }

    /// Ends a command: completes `summary` (command, and the service once a pipeline was loaded),
    /// prints it as the last JSON line, writes the --report files and, under GitHub Actions, the
    /// job summary. Returns summary["exit_code"]. Every command ends through here, also on error
    /// (main() calls it with the error's summary).
    int finish(nlohmann::json summary);
    /// The report part of finish() for a complete summary object (event_object("summary", ...)):
    /// every --report KIND=FILE, and $GITHUB_STEP_SUMMARY under GitHub Actions. A report that
    /// cannot be written is an error message; it does not change the exit code of the run.
    void write_reports(const nlohmann::json& summary);

    /// Fields every summary of this run carries (set by load_pipeline: service; on an invalid
    /// file "problems", each FILE:LINE:COL: message, so reports can list them).
    nlohmann::json summary_base = nlohmann::json::object();
    /// When the run began: the duration_ms of summaries that do not say.
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

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
void register_accessory(CLI::App& app, Context& ctx);
void register_run(CLI::App& app, Context& ctx);
void register_prune(CLI::App& app, Context& ctx);
void register_history(CLI::App& app, Context& ctx);
void register_converge(CLI::App& app, Context& ctx);
void register_version(CLI::App& app, Context& ctx);
void register_completion(CLI::App& app, Context& ctx);

}  // namespace hoist::cli
