#include "deploy/balancers.hpp"
#include "deploy/connect.hpp"

#include "lb/alb.hpp"
#include "lb/haproxy.hpp"
#include "lb/nginx.hpp"
#include "ssh/local_connection.hpp"
#include "util/error.hpp"

namespace hoist::deploy {

namespace {

/// Connects on first use, so a deploy that never reaches the load balancer step (a failed
/// pre-flight) never connects to it, and a dropped connection is remade by the fleet's slot.
class LazyConnection : public ssh::Connection {
public:
    LazyConnection(ssh::Fleet& fleet, std::string host) : m_fleet(fleet), m_host(std::move(host)) {}
    const std::string& label() const override { return m_host; }
    ssh::ExecResult exec(const std::string& line, const ssh::ExecOptions& o) override { return c().exec(line, o); }
    using Connection::exec;
    void upload(const std::string& path, std::string_view bytes, int mode) override { c().upload(path, bytes, mode); }
    ssh::HttpResponse http_get(int port, const std::string& path, std::chrono::milliseconds t) override {
        return c().http_get(port, path, t);
    }
    std::string unix_socket_request(const std::string& s, const std::string& r, std::chrono::milliseconds t) override {
        return c().unix_socket_request(s, r, t);
    }

private:
    ssh::Connection& c() { return m_fleet.connection(m_host); }
    ssh::Fleet& m_fleet;
    std::string m_host;
};

void connect_lb_host(const config::Pipeline& p, LoadBalancerHandle& h, ssh::Warn warn) {
    const auto& lb = p.load_balancer;
    if (lb.host == "local") {
        h.connection = std::make_unique<ssh::LocalConnection>();
        return;
    }
    std::string err;
    auto hs = config::parse_host_string(lb.host, err);
    if (!hs) throw usage_error("load_balancer.host '" + lb.host + "': " + err);
    ssh::Settings s = ssh_settings(p);  // the fleet's ssh settings, for one host: the balancer's
    ssh::HostSpec host{hs->address, hs->user.empty() ? p.ssh.user : hs->user, hs->port ? hs->port : p.ssh.port};
    s.hosts = {host};
    h.fleet = ssh::Fleet::connect(s, std::move(warn));
    h.connection = std::make_unique<LazyConnection>(*h.fleet, host.address);
}

/// What the ALB driver needs of the pipeline: groups, ports and canary steps, health waits bounded
/// by `healthcheck.deadline`, the instance behind each host (its region is resolved by the driver).
lb::AlbOptions alb_options(const config::Pipeline& p) {
    const auto& lb = p.load_balancer;
    lb::AlbOptions o;
    o.region = lb.region;
    if (p.strategy.type == config::StrategyType::blue_green) {
        o.listener_arn = lb.listener_arn;
        o.blue_group = lb.target_groups.at("blue");
        o.green_group = lb.target_groups.at("green");
        o.blue_port = p.strategy.blue_port;
        o.green_port = p.strategy.green_port;
        o.canary = lb.canary;
        o.canary_pause = lb.canary_pause;
    } else {
        o.target_group_arn = lb.target_group_arn;
    }
    o.switch_health_limit = p.healthcheck.deadline;
    for (const auto& h : p.hosts)
        if (!h.instance_id.empty()) o.instance_hosts[h.instance_id] = h.address;
    return o;
}

}  // namespace

LoadBalancerHandle make_load_balancer(const config::Pipeline& p, lb::Sleeper sleep, ssh::Warn warn) {
    LoadBalancerHandle h;
    const auto& lb = p.load_balancer;
    switch (lb.type) {
        case config::LoadBalancerType::none: return h;
        case config::LoadBalancerType::nginx: {
            connect_lb_host(p, h, std::move(warn));
            lb::NginxSettings s;
            s.service = p.service;
            s.upstream = lb.upstream;
            s.config_path = lb.config_path;
            s.test_command = lb.test_command;
            s.reload_command = lb.reload_command;
            s.command_timeout = p.ssh.command_timeout;
            h.driver = std::make_unique<lb::NginxBalancer>(s, *h.connection, std::move(sleep));
            return h;
        }
        case config::LoadBalancerType::haproxy: {
            connect_lb_host(p, h, std::move(warn));
            lb::HaproxySettings s;
            s.backend = lb.backend.empty() ? p.service : lb.backend;
            s.socket = lb.socket;
            h.driver = std::make_unique<lb::HaproxyBalancer>(s, *h.connection, std::move(sleep));
            return h;
        }
        case config::LoadBalancerType::alb:
            // The AWS API, no SSH; the driver's warnings (throttling retries, a drain limit shorter than
            // the target group's deregistration delay) go where the fleet's warnings go.
            h.driver = lb::make_alb(alb_options(p), std::move(sleep), {}, std::move(warn));
            return h;
    }
    throw usage_error("load_balancer.type " + config::to_string(lb.type) +
                      " is not available yet in this version of hoist; nothing was done");
}

}  // namespace hoist::deploy
