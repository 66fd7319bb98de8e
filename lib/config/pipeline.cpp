#include "config/pipeline.hpp"

namespace hoist::config {

std::string to_string(HostKeyChecking v) {
    switch (v) {
        case HostKeyChecking::strict: return "strict";
        case HostKeyChecking::accept_new: return "accept-new";
        case HostKeyChecking::off: return "off";
    }
    return "?";
}
std::string to_string(LoadBalancerType v) {
    switch (v) {
        case LoadBalancerType::nginx: return "nginx";
        case LoadBalancerType::haproxy: return "haproxy";
        case LoadBalancerType::alb: return "alb";
        case LoadBalancerType::none: return "none";
    }
    return "?";
}
std::string to_string(StrategyType v) { return v == StrategyType::rolling ? "rolling" : "blue_green"; }
std::string to_string(OnFailure v) { return v == OnFailure::rollback ? "rollback" : "halt"; }
std::string to_string(Builder v) { return v == Builder::native ? "native" : "docker"; }
std::string to_string(Runtime v) { return v == Runtime::docker ? "docker" : "podman"; }

Location Pipeline::where(const std::string& path) const {
    auto it = locations.find(path);
    if (it == locations.end()) return {file, 0, 0};
    return it->second;
}

std::string Pipeline::registry_host() const { return image.substr(0, image.find('/')); }

std::string Pipeline::repository() const {
    auto slash = image.find('/');
    return slash == std::string::npos ? image : image.substr(slash + 1);
}

Pipeline role_pipeline(const Pipeline& p, const Role& role) {
    Pipeline r = p;
    r.role = role.name;
    r.hosts = role.hosts;
    r.all_hosts = role.hosts;
    r.ec2.reset();
    r.asg.reset();
    r.container = role.container;
    r.healthcheck = role.healthcheck;
    r.load_balancer = LoadBalancerSettings{};
    r.strategy.type = StrategyType::rolling;
    r.strategy.max_unavailable = role.max_unavailable;
    r.strategy.pause = Duration{0};
    r.release_command.clear();
    r.accessories.clear();
    r.roles.clear();
    r.hooks = Hooks{};
    return r;
}

}  // namespace hoist::config
