// One look at the fleet and the plans of one deploy, shared by `hoist deploy` and `hoist plan`.
#include "deploy/planning.hpp"

#include "deploy/roles.hpp"
#include "deploy/state.hpp"

namespace hoist::deploy {

namespace {
std::vector<std::string> addresses(const config::Pipeline& p) {
    std::vector<std::string> out;
    for (const auto& h : p.hosts) out.push_back(h.address);
    return out;
}
}  // namespace

std::string FleetLook::unreachable_hosts() const {
    std::string why;
    for (const auto& [h, e] : web.unreachable)
        why += (why.empty() ? "" : "; ") + (e.rfind(h, 0) == 0 ? e : h + ": " + e);
    return why;
}

std::string FleetLook::problems() const {
    std::string hosts = unreachable_hosts();
    if (web.lb_error.empty()) return hosts;
    return "the load balancer: " + web.lb_error + (hosts.empty() ? "" : "; " + hosts);
}

config::Pipeline every_unit_host(const config::Pipeline& web, const std::vector<config::Pipeline>& roles) {
    config::Pipeline all = web;
    all.hosts = web.all_hosts.empty() ? web.hosts : web.all_hosts;
    for (const auto& r : roles) add_hosts(all, r.hosts);
    return all;
}

FleetLook observe_units(const config::Pipeline& web, const std::vector<config::Pipeline>& roles, ssh::Fleet& fleet,
                        lb::LoadBalancer* lb) {
    FleetLook look;
    look.web = observe_fleet(web, fleet, addresses(web), lb);
    for (const auto& r : roles) {
        look.roles.push_back(observe_fleet(r, fleet, addresses(r), nullptr));
        for (const auto& [h, e] : look.roles.back().unreachable) look.web.unreachable.emplace(h, e);
    }
    return look;
}

FleetLook unobserved(const std::vector<config::Pipeline>& roles) {
    FleetLook look;
    look.roles.resize(roles.size());
    return look;
}

std::vector<Plan> plan_roles(Plan& web, const std::vector<config::Pipeline>& roles, const FleetLook& look,
                             const PlanRequest& request) {
    std::vector<Plan> out;
    for (std::size_t i = 0; i < roles.size(); ++i) {
        const FleetState& state = i < look.roles.size() ? look.roles[i].state : FleetState{};
        out.push_back(make_plan(roles[i], request.tag, state,
                                {.pull_if_missing = request.pull_if_missing,
                                 .pull_credentials = request.pull_credentials,
                                 .direct_image = request.direct_image}));
        move_preflight(out.back(), web);
    }
    return out;
}

DeployPlans plan_deploy(const config::Pipeline& web, const std::vector<config::Pipeline>& roles, FleetLook& look,
                        const PlanRequest& request) {
    if (request.adopt && web.strategy.type == config::StrategyType::rolling)
        adopt_foreign(look.web.state.hosts, web.service);
    PlanOptions options{.pull_if_missing = request.pull_if_missing,
                        .pull_credentials = request.pull_credentials,
                        .direct_image = request.direct_image};
    DeployPlans out;
    out.web = make_plan(web, request.tag, look.web.state, options);
    out.blockers = out.web.blockers;
    if (!out.blockers.empty()) out.advice = adoption_advice(out.web);
    out.blocked_of = out.web.hosts.size();
    if (!role_selected(request.roles, config::web_role)) {  // --roles without web: its hosts are left as they are
        config::Pipeline none = web;
        none.hosts.clear();
        out.web = make_plan(none, request.tag, look.web.state, options);
        out.web.notes.clear();
    }
    out.roles = plan_roles(out.web, roles, look, request);
    return out;
}

}  // namespace hoist::deploy
