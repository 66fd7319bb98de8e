// hoist: the command line. Parses global flags and one subcommand (one file each in cli/), runs it,
// and maps errors to the exit codes of the spec. All work happens in hoist_lib.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "context.hpp"
#include "hoist/version_info.hpp"
#include "report/report_files.hpp"
#include "util/harden.hpp"

int main(int argc, char** argv) {
    using namespace hoist;
    harden_process();  // before anything holds a secret
    cli::Context ctx;
    CLI::App app{"hoist: build, push and deploy containers to servers over SSH, with zero downtime", "hoist"};
    app.set_help_all_flag("--help-all", "Show help for every command");
    app.require_subcommand(1);
    app.fallthrough();
    auto& g = ctx.global;
    app.add_option("-f,--file", g.file, "Pipeline file")->capture_default_str();
    app.add_option("-s,--stage", g.stage, "Stage overlay from the file's 'stages'");
    app.add_option("--hosts", g.hosts, "Only these hosts (comma-separated addresses)");
    app.add_option("--roles", g.roles, "Only these roles (comma-separated: web and the names under 'roles:')");
    app.add_option("-o,--output", g.output, "Output format")->check(CLI::IsMember({"human", "json"}))->capture_default_str();
    app.add_flag("--no-color", g.no_color, "No ANSI colour (also NO_COLOR=1)");
    app.add_flag("-v,--verbose", g.verbose, "Show every remote command");
    app.add_flag("-q,--quiet", g.quiet, "Only errors");
    app.add_option("--report", g.reports, "Write a report when the command ends: json=FILE (the summary), "
                                          "junit=FILE (JUnit XML), markdown=FILE; repeatable")
        ->type_name("KIND=FILE")
        ->check(CLI::Validator([](std::string& v) { return report::check_report_spec(v); }, "KIND=FILE", "report"));

    cli::register_init(app, ctx);
    cli::register_validate(app, ctx);
    cli::register_plan(app, ctx);
    cli::register_build(app, ctx);
    cli::register_push(app, ctx);
    cli::register_deploy(app, ctx);
    cli::register_rollback(app, ctx);
    cli::register_converge(app, ctx);
    cli::register_status(app, ctx);
    cli::register_exec(app, ctx);
    cli::register_logs(app, ctx);
    cli::register_lock(app, ctx);
    cli::register_accessory(app, ctx);
    cli::register_run(app, ctx);
    cli::register_prune(app, ctx);
    cli::register_history(app, ctx);
    cli::register_version(app, ctx);
    cli::register_completion(app, ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return static_cast<int>(ExitCode::usage);
    }
    ctx.init_output();
    if (!ctx.run) return static_cast<int>(ExitCode::usage);
    try {
        return ctx.run();
    } catch (const Error& e) {
        // phases and bars end first, so the error is not folded away in a GitHub group
        ctx.out->end_phase(true);
        ctx.out->end_bars();
        ctx.out->error(e.what());
        return ctx.finish({{"result", "failed"}, {"exit_code", static_cast<int>(e.code())}, {"error", e.what()}});
    } catch (const std::exception& e) {
        // Not a hoist::Error (every failure of a host, a load balancer or an API is one, with its
        // exit code): a bug. Exit 1, the command failed; never 4, which says a fleet was left on
        // two versions, and only the deploy engine can know that (deploys and rollbacks map their
        // own unexpected errors, lib/deploy/session.cpp).
        ctx.out->end_phase(true);
        ctx.out->end_bars();
        ctx.out->error(std::string("internal error: ") + e.what());
        return ctx.finish({{"result", "failed"}, {"exit_code", static_cast<int>(ExitCode::failed)},
                           {"error", e.what()}});
    }
}
