#include "deploy/roles.hpp"

#include <algorithm>
#include <map>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

namespace {
/// A step of the pre-flight: on a host, before any batch, not the release command.
bool preflight_step(const Step& s) {
    return !s.on_lb && s.batch == 0 && s.action != Action::release && s.action != Action::record;
}
}  // namespace

void move_preflight(Plan& role, Plan& web) {
    auto end = std::find_if_not(role.steps.begin(), role.steps.end(), preflight_step);
    std::vector<Step> moved(std::make_move_iterator(role.steps.begin()), std::make_move_iterator(end));
    role.steps.erase(role.steps.begin(), end);
    auto at = std::find_if_not(web.steps.begin(), web.steps.end(), preflight_step);
    // A host with web and a role pulls (or is sent) the image once: a step the pre-flight already
    // has on that host, the same commands, is not added again.
    auto same = [](const Step& a, const Step& b) {
        return a.action == b.action && a.target == b.target && a.commands() == b.commands();
    };
    std::vector<Step> added;
    for (auto& s : moved)
        if (std::none_of(web.steps.begin(), at, [&](const Step& w) { return same(w, s); })) added.push_back(std::move(s));
    web.steps.insert(at, std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
}

std::string version_before(const RolloutResult& result) {
    std::map<std::string, int> count;
    for (const auto& h : result.hosts) {
        if (h.result == HostResult::unchanged) continue;
        if (h.previous_version.empty()) return "";
        ++count[h.previous_version];
    }
    std::string best;
    int n = 0;
    for (const auto& [v, k] : count)
        if (k > n) best = v, n = k;
    return best;
}

void add_hosts(config::Pipeline& into, const std::vector<config::Host>& hosts) {
    for (const auto& h : hosts)
        if (std::none_of(into.hosts.begin(), into.hosts.end(),
                         [&](const config::Host& a) { return a.address == h.address; }))
            into.hosts.push_back(h);
}

std::vector<config::Pipeline> selected_units(const config::Pipeline& p, const std::vector<std::string>& selected) {
    std::vector<config::Pipeline> units;
    if (role_selected(selected, config::web_role)) units.push_back(p);
    for (const auto& r : p.roles)
        if (role_selected(selected, r.name)) units.push_back(config::role_pipeline(p, r));
    return units;
}

bool role_selected(const std::vector<std::string>& selected, const std::string& role) {
    return selected.empty() || std::find(selected.begin(), selected.end(), role) != selected.end();
}

void check_roles(const config::Pipeline& p, const std::vector<std::string>& selected) {
    std::vector<std::string> known{config::web_role};
    for (const auto& r : p.roles) known.push_back(r.name);
    for (const auto& s : selected)
        if (std::find(known.begin(), known.end(), s) == known.end())
            throw usage_error("--roles names '" + s + "', which is not a role of " + p.file + " (its roles: " +
                              join(known, ", ") + ")");
}

}  // namespace hoist::deploy
