#pragma once
/// The typed pipeline file (../shared/spec/pipeline.md section 1), after stage merge,
/// interpolation and validation. Defaults are filled in; `where()` tells where a value came from.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/values.hpp"
#include "util/secret.hpp"

namespace hoist::config {

using namespace std::chrono_literals;

enum class HostKeyChecking { strict, accept_new, off };
enum class LoadBalancerType { nginx, haproxy, alb, none };
enum class StrategyType { rolling, blue_green };
enum class OnFailure { rollback, halt };
enum class Builder { native, docker };
enum class Runtime { docker, podman };

std::string to_string(HostKeyChecking v);
std::string to_string(LoadBalancerType v);
std::string to_string(StrategyType v);
std::string to_string(OnFailure v);
std::string to_string(Builder v);
std::string to_string(Runtime v);

struct RegistrySettings {
    std::string username;
    Secret password;
    bool insecure = false;
    /// Spec section 7: no registry; the image is sent to every host over SSH (only the layers it lacks).
    bool direct = false;
    bool has_credentials() const { return !username.empty(); }
};

struct BuildSettings {
    std::string context = ".";  ///< resolved against the pipeline file's directory
    std::string dockerfile = "Dockerfile";
    Builder builder = Builder::native;
    std::map<std::string, std::string> args;
    std::map<std::string, std::string> labels;
    std::string platform = "linux/amd64";
};

/// One host of the fleet, with ssh defaults applied.
struct Host {
    std::string address;
    std::string user;
    int port = 22;
    std::string instance_id;  ///< EC2 instance id when the host came from EC2 tags or an Auto Scaling group
    Location where;
    /// "user@address:port" with defaults omitted where they match; used in messages.
    std::string display() const { return address; }
};

/// Spec section 6: a long-lived companion (Redis, a database) that deploys never touch.
struct Accessory {
    std::string name;
    std::string image;  ///< any registry's, pulled by the host's runtime (with its tag)
    std::vector<Host> hosts;
    std::string port;   ///< docker -p syntax, empty: none
    std::vector<std::string> volumes;
    std::map<std::string, std::string> env;
    std::vector<std::string> secret_env;
    std::vector<std::string> command;
    std::vector<std::string> options;
    Location where;
};

struct Ec2Discovery {
    std::string region;
    std::map<std::string, std::string> tags;
    std::string address = "private";  ///< private | public
};

/// `hosts: [{ asg: { name, region, address, launch, ssm } }]`: the InService instances of an Auto
/// Scaling group.
struct AsgDiscovery {
    std::string name;
    std::string region;               ///< empty: AWS_REGION / AWS_DEFAULT_REGION / the profile's
    std::string address = "private";  ///< private | public
    /// `launch: converge`: after each successful deploy the group's launch template gets a version
    /// whose user data starts the release at boot (deploy/launch.hpp).
    bool launch_converge = false;
    /// `ssm`: each `secret_env` name -> the SSM Parameter Store parameter the user data reads it from.
    std::map<std::string, std::string> ssm;
};

struct JumpHost {
    std::string user;
    std::string address;
    int port = 22;
};

struct SshSettings {
    std::string user = "root";
    int port = 22;
    std::vector<std::string> identity_files;  ///< empty: agent, then the default key files
    std::string known_hosts = "~/.ssh/known_hosts";
    HostKeyChecking host_key_checking = HostKeyChecking::strict;
    std::vector<JumpHost> proxy_jump;  ///< a chain, outermost first
    std::string config;                ///< ~/.ssh/config path, empty: not used
    Duration connect_timeout = 10s;
    Duration command_timeout = 10min;
    int max_parallel = 64;
};

struct ContainerSettings {
    int port = 8080;
    int host_port = 8080;
    std::map<std::string, std::string> env;
    std::vector<std::string> secret_env;
    std::vector<std::string> volumes;
    std::vector<std::string> command;
    std::vector<std::string> options;
    Duration stop_timeout = 30s;
    Runtime runtime = Runtime::docker;
};

struct HealthcheckSettings {
    std::string path = "/healthz";
    int expect_min = 200;
    int expect_max = 399;
    Duration interval = 1s;
    Duration timeout = 2s;
    int healthy_threshold = 2;
    Duration deadline = 60s;
    /// Roles other than web (spec section 6): an exec probe run in the container, healthy on exit 0.
    /// Empty for such a role: healthy when still running, not restarted, after the deadline's first 5 s.
    std::vector<std::string> command = {};
};

struct LoadBalancerSettings {
    LoadBalancerType type = LoadBalancerType::none;
    // nginx
    std::string host;  ///< "local" = this machine
    std::string upstream;
    std::string config_path;
    std::string test_command = "nginx -t";
    std::string reload_command = "nginx -s reload";
    Duration drain_time = 5s;
    // haproxy
    std::string socket = "/run/haproxy/admin.sock";
    std::string backend;
    // alb
    std::string region;
    std::string target_group_arn;
    std::string listener_arn;
    std::map<std::string, std::string> target_groups;  ///< blue, green
    std::vector<int> canary;         ///< alb blue_green: traffic percentages for the new colour before 100
    Duration canary_pause = 30s;     ///< alb blue_green: wait at each canary step
};

struct StrategySettings {
    StrategyType type = StrategyType::rolling;
    CountOrPercent max_unavailable{1, false};
    Duration pause = 0s;
    int blue_port = 8081;
    int green_port = 8082;
    bool keep_previous = true;
    OnFailure on_failure = OnFailure::rollback;
};

struct Hooks {
    std::vector<std::string> pre_build;
    std::vector<std::string> pre_deploy;
    std::vector<std::string> post_deploy;
    /// Commands that ${VAR} changed, as written in the file: what logs show, since a variable
    /// may hold a secret (the runner masks only what it was told about).
    std::map<std::string, std::string> as_written;
    /// `command` as logs show it.
    const std::string& shown(const std::string& command) const {
        auto it = as_written.find(command);
        return it == as_written.end() ? command : it->second;
    }
};

/// Spec section 6: more containers of the service's image on their own hosts, not behind the load
/// balancer (workers, a scheduler). The web role is the top-level `hosts:`.
struct Role {
    std::string name;
    std::vector<Host> hosts;
    ContainerSettings container;      ///< the top-level container: section with the role's merged over it
    HealthcheckSettings healthcheck;  ///< `command`: the exec probe; empty: "still running"
    CountOrPercent max_unavailable{1, false};
    Location where;
};

/// The name of the role behind the load balancer.
inline constexpr const char* web_role = "web";

struct Pipeline {
    std::string file;       ///< path as given
    std::string directory;  ///< the file's directory; relative paths resolve against it
    std::string stage;      ///< selected stage, empty for none

    std::string service;
    std::string image;
    std::string tag;  ///< empty: resolved at build time (git sha or timestamp)
    RegistrySettings registry;
    /// Spec section 6: run once per deploy in the new image on the first host that changes, after
    /// the pre-flight and before any swap (a database migration). Empty: none.
    std::vector<std::string> release_command;
    std::map<std::string, Accessory> accessories;  ///< by name
    std::vector<Role> roles;  ///< the roles besides web, in the file's order
    /// The role this pipeline describes: "web" for the file itself; role_pipeline() gives the others.
    std::string role = web_role;
    bool is_web() const { return role == web_role; }
    /// "<service>" for web, "<service>-<role>" else: what container names start with.
    std::string container_prefix() const { return is_web() ? service : service + "-" + role; }
    std::optional<BuildSettings> build;
    std::vector<Host> hosts;      ///< the hosts this run works on (--hosts restricts them)
    std::vector<Host> all_hosts;  ///< every host of the file: the load balancer's pool, the lock's host
    std::optional<Ec2Discovery> ec2;  ///< hosts come from EC2 tags at deploy time
    std::optional<AsgDiscovery> asg;  ///< hosts are an Auto Scaling group's instances at deploy time
    /// Hosts are looked up in AWS when a command needs them (EC2 tags or an Auto Scaling group).
    bool discovered_hosts() const { return ec2.has_value() || asg.has_value(); }
    SshSettings ssh;
    ContainerSettings container;
    HealthcheckSettings healthcheck;
    LoadBalancerSettings load_balancer;
    StrategySettings strategy;
    Hooks hooks;
    std::vector<std::string> stages;  ///< names of all stages in the file

    /// Where the value at a dotted path ("strategy.max_unavailable") was written; unknown if defaulted.
    Location where(const std::string& path) const;
    std::map<std::string, Location> locations;

    /// Registry host[:port] part of `image`.
    std::string registry_host() const;
    /// "<image>:<tag>": the one place a reference to a version of the service's image is built.
    std::string image_ref(const std::string& tag) const { return image + ":" + tag; }
    /// Repository part of `image` (without the registry host).
    std::string repository() const;
};

/// The pipeline of one role besides web, for the planner and the engine: its hosts, its container
/// settings, no load balancer, rolling by its own max_unavailable, no release command, no hooks.
Pipeline role_pipeline(const Pipeline& p, const Role& role);

}  // namespace hoist::config
