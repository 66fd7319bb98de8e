// hoist history: the deploy history kept on the hosts (~/.hoist/<service>/history.jsonl), merged
// into one time-ordered table, one row per host and event.
#include <algorithm>

#include "context.hpp"
#include "deploy/history.hpp"
#include "deploy/roles.hpp"

namespace hoist::cli {

namespace {

int run_history(Context& ctx, int limit) {
    auto p = ctx.load_pipeline_with_hosts();
    auto selected = ctx.only_roles();
    deploy::check_roles(p, selected);
    config::Pipeline all = p;  // the hosts of every role (spec section 6) keep their own entries
    for (const auto& r : p.roles)
        if (deploy::role_selected(selected, r.name)) deploy::add_hosts(all, r.hosts);
    auto fleet = ctx.fleet(all, false);
    auto outcomes = fleet->each<std::vector<deploy::HistoryEntry>>(
        [&](const std::string&, ssh::Connection& c) { return deploy::read_history(c, p.service); });
    struct Row {
        std::string host;
        deploy::HistoryEntry e;
    };
    std::vector<Row> rows;
    int failed = 0;
    for (auto& o : outcomes) {
        if (!o.ok()) {
            ++failed;
            ctx.out->warning(o.host + ": " + o.error);
            continue;
        }
        for (auto& e : *o.value)
            if (deploy::role_selected(selected, e.is_web() ? config::web_role : e.role)) rows.push_back({o.host, e});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.e.time < b.e.time; });
    if (limit > 0 && rows.size() > static_cast<std::size_t>(limit)) rows.erase(rows.begin(), rows.end() - limit);
    const bool with_roles = !p.roles.empty();
    std::string text = std::string("TIME                      HOST             ") + (with_roles ? "ROLE       " : "") +
                       "EVENT     TAG           PREVIOUS      RESULT       BY\n";
    auto pad = [](std::string s, std::size_t w) {
        if (s.size() < w) s.append(w - s.size(), ' ');
        return s + " ";
    };
    for (const auto& r : rows) {
        text += pad(r.e.time, 25) + pad(r.host, 16) + (with_roles ? pad(r.e.is_web() ? "web" : r.e.role, 10) : "") +
                pad(r.e.event, 9) + pad(r.e.tag.empty() ? "-" : r.e.tag, 13) +
                pad(r.e.previous_tag.empty() ? "-" : r.e.previous_tag, 13) + pad(r.e.result, 12) + r.e.by + "\n";
        auto j = r.e.to_json();
        j["host"] = r.host;
        // the line's "event" is "history" (spec section 4); the entry's own event is its "kind"
        j["kind"] = j["event"];
        j.erase("event");
        ctx.out->event("history", j);
    }
    if (rows.empty()) text = "no deploys recorded on these hosts yet\n";
    ctx.out->result(text);
    int code = failed ? 1 : 0;
    return ctx.finish({{"result", failed ? "failed" : "succeeded"}, {"exit_code", code}, {"command", "history"},
                       {"entries", rows.size()}});
}

}  // namespace

void register_history(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("history", "The deploy history kept on the hosts");
    static int limit = 50;
    cmd->add_option("-n,--limit", limit, "Show the last N entries (0: all)")->capture_default_str();
    cmd->callback([&ctx] {
        ctx.command = "history";
        ctx.run = [&ctx] { return run_history(ctx, limit); };
    });
}

}  // namespace hoist::cli
