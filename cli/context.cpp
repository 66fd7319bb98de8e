#include "context.hpp"

#include <unistd.h>

#include <cstdlib>

#include "util/strings.hpp"

namespace hoist::cli {

void Context::init_output() {
    report::OutputOptions o;
    o.format = global.output == "json" ? report::Format::json : report::Format::human;
    const char* no_color = std::getenv("NO_COLOR");
    o.color = !global.no_color && !(no_color && *no_color) && isatty(STDERR_FILENO) && o.format == report::Format::human;
    o.verbosity = global.quiet ? -1 : global.verbose ? 1 : 0;
    out = std::make_unique<report::Output>(o);
}

void Context::print_diagnostics(const config::Diagnostics& diags) {
    for (const auto& d : diags.all()) {
        std::string line = d.format();
        std::fputs((line + "\n").c_str(), stderr);
        out->event("diagnostic", {{"severity", d.severity == config::Severity::error ? "error" : "warning"},
                                  {"file", d.where.file},
                                  {"line", d.where.line},
                                  {"column", d.where.column},
                                  {"message", d.message}});
    }
}

config::Pipeline Context::load_pipeline() {
    config::LoadOptions o;
    o.file = global.file;
    o.stage = global.stage;
    if (!global.hosts.empty())
        for (auto& h : split(global.hosts, ',')) {
            std::string t = trim(h);
            if (!t.empty()) o.hosts.push_back(t);
        }
    auto result = config::load_pipeline(o);
    print_diagnostics(result.diagnostics);
    if (!result.ok()) {
        std::size_t n = result.diagnostics.error_count();
        throw usage_error(global.file + ": " + std::to_string(n) + (n == 1 ? " problem" : " problems") +
                          " found; nothing was touched");
    }
    return result.pipeline;
}

std::unique_ptr<ssh::Fleet> Context::fleet(const config::Pipeline& p, bool all) {
    config::Pipeline q = p;
    if (all && !p.all_hosts.empty()) q.hosts = p.all_hosts;
    if (q.hosts.empty()) throw usage_error("the pipeline has no hosts");
    return ssh::Fleet::from_pipeline(q, [this](const std::string& w) {
        std::lock_guard<std::mutex> lock(out_mutex);
        out->warning(w);
        out->event("warning", {{"message", w}});
    });
}

void not_available(Context& ctx, const std::string& what) {
    ctx.run = [&ctx, what] {
        throw usage_error("'hoist " + ctx.command + "' is not available yet in this version of hoist: " + what +
                          " is not implemented. Nothing was done.");
        return 2;
    };
}

}  // namespace hoist::cli
