#include "context.hpp"
#include "deploy/connect.hpp"

#include <algorithm>

#include "deploy/asg_suspension.hpp"
#include "deploy/hosts.hpp"

#include <unistd.h>

#include <cstdlib>
#include <set>

#include "report/github.hpp"
#include "report/report_files.hpp"
#include "ssh/auth.hpp"
#include "util/strings.hpp"

namespace hoist::cli {

namespace {
bool env_set(const char* name) {
    const char* v = std::getenv(name);
    return v && *v;
}
}  // namespace

void Context::init_output() {
    report::OutputOptions o;
    o.format = global.output == "json" ? report::Format::json : report::Format::human;
    o.verbosity = global.quiet ? -1 : global.verbose ? 1 : 0;
    const char* term = std::getenv("TERM");
    bool terminal = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) && !(term && std::string(term) == "dumb");
    // spec section 2: colour and bars only on a terminal and without --no-color / NO_COLOR
    o.color = terminal && !global.no_color && !env_set("NO_COLOR") && o.format == report::Format::human;
    o.progress = o.color && o.verbosity >= 0;
    o.github = report::github::enabled();
    // the Actions runner stamps every line itself; elsewhere off a terminal (Jenkins, log files) we do
    o.timestamps = !isatty(STDERR_FILENO) && !o.github;
    out = std::make_unique<report::Output>(o);
}

int Context::finish(nlohmann::json summary) {
    if (!summary.contains("command")) summary["command"] = command;
    if (!summary.contains("duration_ms"))
        summary["duration_ms"] =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    for (auto& [k, v] : summary_base.items())
        if (!summary.contains(k)) summary[k] = v;
    nlohmann::json line = report::event_object("summary", summary);
    out->end_phase();
    out->end_bars();
    out->event_line(line);
    write_reports(line);
    return line.value("exit_code", 0);
}

void Context::write_reports(const nlohmann::json& summary) {
    for (const auto& text : global.reports) {
        auto spec = report::parse_report_spec(text);
        try {
            report::write_file_atomically(spec.path, report::render_report(spec.kind, summary));
        } catch (const std::exception& e) {
            out->error("the " + spec.kind + " report was not written: " + e.what());
        }
    }
    // the job summary is about work done; version/init/completion have none to show
    static const std::set<std::string> quiet_commands = {"version", "init", "completion"};
    const char* step_summary = std::getenv("GITHUB_STEP_SUMMARY");
    if (out->options().github && step_summary && *step_summary && !quiet_commands.count(summary.value("command", ""))) {
        try {
            report::append_to_file(step_summary, report::github::render_step_summary(summary));
        } catch (const std::exception& e) {
            out->error("the GitHub job summary was not written: " + std::string(e.what()));
        }
    }
}

void Context::print_diagnostics(const config::Diagnostics& diags) {
    const char* ws = std::getenv("GITHUB_WORKSPACE");
    for (const auto& d : diags.all()) {
        std::string line = d.format();
        std::fputs((line + "\n").c_str(), stderr);
        // the plain line stays (people and editors read FILE:LINE:COL); the annotation puts the
        // message on the file in the pull request, with the path GitHub knows it by
        out->annotate(d.severity == config::Severity::error, d.message,
                      report::github::workspace_relative(d.where.file, ws ? ws : ""), d.where.line, d.where.column);
        out->event("diagnostic", {{"severity", d.severity == config::Severity::error ? "error" : "warning"},
                                  {"file", d.where.file},
                                  {"line", d.where.line},
                                  {"column", d.where.column},
                                  {"message", d.message}});
    }
}

void Context::mask_pipeline_secrets(const config::Pipeline& p) {
    mask(p.registry.password);
    for (const auto& name : p.container.secret_env)
        if (const char* v = std::getenv(name.c_str())) mask(Secret(v));
    if (const char* v = std::getenv(ssh::passphrase_env)) mask(Secret(v));
}

config::Pipeline Context::load_pipeline() {
    config::LoadOptions o;
    o.file = global.file;
    o.stage = global.stage;
    o.hosts = only_hosts();
    auto result = config::load_pipeline(o);
    // Masks first: nothing about this pipeline is printed before every secret it brings is
    // registered with the GitHub Actions masker (even when the file has errors).
    mask_pipeline_secrets(result.pipeline);
    if (!result.pipeline.service.empty()) summary_base["service"] = result.pipeline.service;
    print_diagnostics(result.diagnostics);
    if (!result.ok()) {
        nlohmann::json problems = nlohmann::json::array();
        for (const auto& d : result.diagnostics.all())
            if (d.severity == config::Severity::error) problems.push_back(d.format());
        summary_base["problems"] = problems;
        std::size_t n = result.diagnostics.error_count();
        throw usage_error(global.file + ": " + std::to_string(n) + (n == 1 ? " problem" : " problems") +
                          " found; nothing was touched");
    }
    return result.pipeline;
}

std::vector<std::string> Context::only_hosts() const {
    std::vector<std::string> out;
    for (auto& h : split(global.hosts, ','))
        if (!trim(h).empty()) out.push_back(trim(h));
    return out;
}

std::vector<std::string> Context::only_roles() const {
    std::vector<std::string> out;
    for (auto& r : split(global.roles, ','))
        if (!trim(r).empty()) out.push_back(trim(r));
    return out;
}

config::Pipeline Context::load_pipeline_with_hosts(bool announce) {
    auto p = load_pipeline();
    if (!p.discovered_hosts()) return p;
    // A deploy killed while the group's processes were suspended: resumed now (plan, which
    // announces nothing and changes nothing, only says so).
    deploy::resume_leftover(p, *out, announce);
    deploy::resolve_hosts(p, only_hosts());
    if (!announce) return p;
    nlohmann::json found = nlohmann::json::array();
    std::string list;
    for (const auto& h : p.all_hosts) {
        found.push_back({{"host", h.address}, {"instance_id", h.instance_id}});
        list += (list.empty() ? "" : ", ") + h.address + " (" + h.instance_id + ")";
    }
    out->info((p.asg ? "hosts from Auto Scaling group " + p.asg->name : std::string("hosts from EC2 tags")) + ": " +
              list);
    out->event("ec2_hosts", {{"hosts", found}});
    return p;
}

std::unique_ptr<ssh::Fleet> Context::fleet(const config::Pipeline& p, bool all) {
    config::Pipeline q = p;
    if (all && !p.all_hosts.empty()) q.hosts = p.all_hosts;
    if (q.hosts.empty()) throw usage_error("the pipeline has no hosts");
    return deploy::connect_fleet(q, [this](const std::string& w) {
        std::lock_guard<std::mutex> lock(out_mutex);
        out->warning(w);
        out->event("warning", {{"message", w}});
    });
}

}  // namespace hoist::cli
