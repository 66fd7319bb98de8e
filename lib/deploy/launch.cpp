#include "deploy/launch.hpp"

#include <algorithm>
#include <cstdio>

#include "aws/asg.hpp"
#include "aws/ecr.hpp"
#include "aws/error.hpp"
#include "aws/launch_template.hpp"
#include "aws/ssm.hpp"
#include "deploy/plan.hpp"
#include "registry/reference.hpp"
#include "remote/shell.hpp"
#include "util/base64.hpp"

namespace hoist::deploy {

namespace {

using remote::quote;

/// Seconds as the shell's `sleep` and `read -t` take them ("1", "0.25").
std::string seconds(std::chrono::milliseconds ms) {
    long long v = std::max<long long>(ms.count(), 1);
    std::string s = std::to_string(v / 1000);
    if (v % 1000) {
        char frac[8];
        std::snprintf(frac, sizeof frac, ".%03lld", v % 1000);
        std::string f = frac;
        while (f.back() == '0') f.pop_back();
        s += f;
    }
    return s;
}

long long whole_seconds(std::chrono::milliseconds ms) { return std::max<long long>(1, (ms.count() + 999) / 1000); }

aws::QueryClient client(const aws::Service& service, const std::string& region, const LaunchOptions& o) {
    return aws::service_client(service, region, o.chain, o.query);
}

}  // namespace

std::string BootRelease::description() const {
    std::string d = "hoist: " + container.service + " " + container.version + (digest.empty() ? "" : " " + digest);
    return d.size() > 255 ? d.substr(0, 255) : d;
}

BootRelease boot_release(const config::Pipeline& p, const std::string& tag, const std::string& digest,
                         const std::string& color, const std::string& region) {
    BootRelease r;
    int port = p.container.host_port;
    if (!color.empty()) port = color == "green" ? p.strategy.green_port : p.strategy.blue_port;
    r.container = container_spec(p, tag, p.image_ref(tag), color, port);
    r.container.pull_never = false;
    r.digest = digest;
    r.pull_ref = digest.empty() ? p.image_ref(tag) : p.image + "@" + digest;
    std::string host = p.registry_host();
    if (auto ecr = aws::parse_ecr_host(host)) {
        r.ecr_registry = host;
        r.ecr_region = ecr->region;
    }
    if (p.asg)
        for (const auto& name : p.container.secret_env) {
            auto it = p.asg->ssm.find(name);
            if (it != p.asg->ssm.end()) r.secrets.emplace_back(name, it->second);
        }
    r.ssm_region = region;
    r.health = p.healthcheck;
    return r;
}

std::string user_data(const BootRelease& r) {
    const auto& c = r.container;
    const std::string rt = quote(c.runtime);
    std::string s;
    auto line = [&](const std::string& l) { s += l + "\n"; };
    line("#!/bin/bash");
    line(std::string(kUserDataMarker) + ": " + c.service + " " + c.version + (r.digest.empty() ? "" : " " + r.digest));
    line("# Written by hoist after a successful deploy. cloud-init runs it once, as root, at the");
    line("# instance's first boot: it pulls the release, starts it as `hoist deploy` does and waits until it is");
    line("# healthy. It holds no secret: they are read from SSM Parameter Store with the instance's role.");
    line("set -uo pipefail");
    line("log=${HOIST_BOOT_LOG:-/var/log/hoist-boot.log}");
    line("exec > >(tee -a \"$log\") 2>&1");
    line("say() { printf '%s hoist boot: %s\\n' \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" \"$*\"; }");
    line("fail() { say \"FAILED: $*\"; exit 1; }");
    line("cd \"${HOME:-/root}\" || fail 'no home directory'");
    line("say " + quote("starting " + c.service + " " + c.version + " (" + r.pull_ref + ")"));
    // 1. the runtime
    line("if ! command -v " + rt + " >/dev/null 2>&1; then");
    line("  say " + quote("installing " + c.runtime));
    line("  if command -v dnf >/dev/null 2>&1; then dnf install -y " + rt);
    line("  elif command -v yum >/dev/null 2>&1; then yum install -y " + rt);
    line("  elif command -v apt-get >/dev/null 2>&1; then apt-get update -q && DEBIAN_FRONTEND=noninteractive "
         "apt-get install -y -q " + quote(c.runtime == "docker" ? "docker.io" : c.runtime));
    line("  else false; fi || fail " + quote("cannot install " + c.runtime));
    line("fi");
    if (c.runtime == "docker")
        line("command -v systemctl >/dev/null 2>&1 && systemctl enable --now docker >/dev/null 2>&1");
    line("for i in $(seq 1 120); do " + rt + " info >/dev/null 2>&1 && break; [ \"$i\" = 120 ] && fail " +
         quote(c.runtime + " does not answer after 120 s") + "; sleep 1; done");
    if (!r.secrets.empty() || !r.ecr_registry.empty())
        line("command -v aws >/dev/null 2>&1 || fail 'the AWS CLI (aws) is needed to read SSM parameters and log in "
             "to ECR; Amazon Linux has it, elsewhere install it in the AMI'");
    // 2. the secrets, into a 0600 file removed once the container is created
    line("umask 077");
    line("mkdir -p " + quote(remote::state_dir(c.service)) + " || fail 'cannot create the state directory'");
    if (!c.env_file.empty()) {
        line("env_file=" + quote(c.env_file));
        line(": > \"$env_file\" || fail 'cannot write the env file'");
        line("trap 'rm -f \"$env_file\"' EXIT");
        line("secret() {  # NAME PARAMETER");
        line("  local v");
        line("  v=$(aws ssm get-parameter --region " + quote(r.ssm_region) +
             " --name \"$2\" --with-decryption --query Parameter.Value --output text) || fail \"cannot read SSM "
             "parameter $2 (for $1) with the instance's role\"");
        line("  case \"$v\" in *$'\\n'*) fail \"SSM parameter $2 holds a line break, which an env file cannot carry\";; "
             "esac");
        line("  printf '%s=%s\\n' \"$1\" \"$v\" >> \"$env_file\"");
        line("}");
        for (const auto& [name, param] : r.secrets) line("secret " + quote(name) + " " + quote(param));
    }
    // 3. the image, by digest; an ECR login lives in a directory of its own, removed after the pull
    line("if ! " + rt + " image inspect " + quote(r.pull_ref) + " >/dev/null 2>&1; then");
    if (!r.ecr_registry.empty()) {
        line("  auth=$(mktemp -d) || fail 'mktemp'");
        line("  export DOCKER_CONFIG=\"$auth\" REGISTRY_AUTH_FILE=\"$auth/auth.json\"");
        line("  aws ecr get-login-password --region " + quote(r.ecr_region) + " | " + rt +
             " login --username AWS --password-stdin " + quote(r.ecr_registry) + " >/dev/null || { rm -rf \"$auth\"; "
             "fail " + quote("cannot log in to ECR " + r.ecr_registry + " with the instance's role") + "; }");
    }
    line("  for i in 1 2 3 4 5; do " + rt + " pull --quiet " + quote(r.pull_ref) +
         " && break; [ \"$i\" = 5 ] && pulled=no; sleep $((i * 2)); done");
    if (!r.ecr_registry.empty()) line("  rm -rf \"$auth\"; unset DOCKER_CONFIG REGISTRY_AUTH_FILE");
    line("  [ \"${pulled:-yes}\" = yes ] || fail " + quote("cannot pull " + r.pull_ref));
    line("fi");
    if (r.pull_ref != c.image)
        line(rt + " tag " + quote(r.pull_ref) + " " + quote(c.image) + " || fail " + quote("cannot tag " + c.image));
    // 4. the container, as hoist deploy starts it
    line(rt + " rm --force " + quote(c.name) + " >/dev/null 2>&1");
    line(remote::run(c).render() + " >/dev/null || fail " + quote("cannot start " + c.name));
    if (!c.env_file.empty()) line("rm -f \"$env_file\"");
    // 5. healthy: as hoist's probe, a GET from the host itself
    const auto& h = r.health;
    if (c.host_port) {
        // in a subshell: a server that closes early (SIGPIPE) or never answers ends only the probe
        line("probe() {");
        line("  local code");
        line("  code=$( (exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(c.host_port) + " || exit 0");
        line("    printf 'GET %s HTTP/1.1\\r\\nHost: 127.0.0.1:%s\\r\\nConnection: close\\r\\n\\r\\n' " +
             quote(h.path) + " " + std::to_string(c.host_port) + " >&3");
        line("    IFS=' ' read -r -t " + seconds(h.timeout) + " _ status _ <&3 && printf '%s' \"$status\") 2>/dev/null)");
        line("  last=${code:-no answer}");
        line("  [[ \"$code\" =~ ^[0-9]+$ ]] && [ \"$code\" -ge " + std::to_string(h.expect_min) + " ] && [ \"$code\" -le " +
             std::to_string(h.expect_max) + " ]");
        line("}");
    } else {
        line("probe() { last=running; true; }");
    }
    line("ok=0; last=none; end=$((SECONDS + " + std::to_string(whole_seconds(h.deadline)) + "))");
    line("while [ $SECONDS -lt $end ]; do");
    line("  if probe; then ok=$((ok + 1)); else ok=0; fi");
    line("  if [ $ok -ge " + std::to_string(std::max(1, h.healthy_threshold)) + " ]; then say " +
         quote(c.name + " is healthy") + "; exit 0; fi");
    line("  state=$(" + rt + " inspect --format '{{.State.Status}} {{.RestartCount}}' " + quote(c.name) +
         " 2>/dev/null)");
    line("  case \"$state\" in running\\ 0|created\\ 0|'') ;; *) " + rt + " logs --tail 20 " + quote(c.name) +
         "; fail \"" + c.name + " is $state\";; esac");
    line("  sleep " + seconds(h.interval));
    line("done");
    line("fail \"" + c.name + " not healthy within " + config::format_duration(h.deadline) +
         " (last answer: $last)\"");
    return s;
}

void check_user_data_size(const config::Pipeline& p, const std::string& tag, const std::string& color,
                          const std::string& region) {
    const std::string longest_digest = "sha256:" + std::string(64, '0');
    std::size_t size = user_data(boot_release(p, tag, longest_digest, color, region)).size();
    if (size <= kUserDataMax) return;
    throw aws::Error("", "launch: converge: the user data that starts " + p.service + " " + tag + " at boot would be " +
                             std::to_string(size) + " bytes; EC2 keeps at most " + std::to_string(kUserDataMax) +
                             ". It holds the container's env, options and volumes: move large values into "
                             "secret_env (read from SSM at boot) or into the image");
}

LaunchTarget check_launch(const config::Pipeline& p, const LaunchOptions& o) {
    const config::AsgDiscovery& d = *p.asg;
    LaunchTarget t;
    t.group = d.name;
    t.region = aws::resolve_region(d.region, o.chain);
    const std::string what = "launch: converge: Auto Scaling group '" + d.name + "' (" + t.region + ")";
    aws::QueryClient as = client(aws::kAutoScaling, t.region, o);
    auto groups = aws::describe_groups(as, {d.name});
    auto g = std::find_if(groups.begin(), groups.end(), [&](const aws::AsgGroup& x) { return x.name == d.name; });
    if (g == groups.end()) throw aws::Error("", what + ": there is no such group");
    if (g->template_id.empty())
        throw aws::Error("", what + (g->launch_configuration.empty()
                                         ? " launches from no launch template"
                                         : " launches from launch configuration '" + g->launch_configuration + "'") +
                                 "; launch: converge writes launch template versions, so the group must use a "
                                 "launch template at version $Latest or $Default");
    if (g->template_version != "$Latest" && g->template_version != "$Default")
        throw aws::Error("", what + " launches version " + g->template_version + " of launch template " +
                                 g->template_id + "; hoist's new versions would never be launched. Point the group at "
                                 "$Default (aws autoscaling update-auto-scaling-group --auto-scaling-group-name " +
                                 d.name + " --launch-template LaunchTemplateId=" + g->template_id +
                                 ",Version='$Default') or $Latest");
    t.template_id = g->template_id;
    t.template_name = g->template_name;
    t.group_version = g->template_version;
    aws::QueryClient ec2 = client(aws::kEc2, t.region, o);
    auto versions = aws::describe_template_versions(ec2, t.template_id, {t.group_version});
    if (versions.empty())
        throw aws::Error("", what + ": launch template " + t.template_id + " has no version " + t.group_version);
    t.source_version = versions.front().number;
    t.source_user_data = versions.front().user_data;
    auto decoded = base64_decode(t.source_user_data);
    if (!t.source_user_data.empty() && (!decoded || decoded->find(kUserDataMarker) == std::string::npos))
        t.warnings.push_back("launch template " + t.template_id + " version " + std::to_string(t.source_version) +
                             " has user data hoist did not write; hoist's versions replace it with the release's");
    if (!d.ssm.empty()) {
        std::vector<std::string> names;
        for (const auto& [env, name] : d.ssm) names.push_back(name);
        aws::QueryClient ssm = client(aws::kSsm, t.region, o);
        auto got = aws::lookup_parameters(ssm, names);
        if (!got.missing.empty()) {
            std::string list;
            for (const auto& m : got.missing) list += (list.empty() ? "" : ", ") + m;
            throw aws::Error("ParameterNotFound", what + ": SSM Parameter Store in " + t.region +
                                                      " has no parameter " + list +
                                                      " (instances read their secrets from it at boot)");
        }
        for (const auto& f : got.found)
            if (f.type != "SecureString")
                t.warnings.push_back("SSM parameter " + f.name + " is a " + f.type +
                                     ", not a SecureString: it is stored unencrypted");
    }
    return t;
}

LaunchRecord record_launch(const LaunchTarget& t, const BootRelease& release, const LaunchOptions& o) {
    LaunchRecord rec;
    aws::QueryClient ec2 = client(aws::kEc2, t.region, o);
    const std::string script = base64_encode(user_data(release));
    // what the group launches now (a person may have changed it since the pre-flight)
    auto now = aws::describe_template_versions(ec2, t.template_id, {t.group_version});
    if (!now.empty() && now.front().user_data == script) {
        rec.version = now.front().number;
        return rec;
    }
    long long source = now.empty() ? t.source_version : now.front().number;
    auto made = aws::create_template_version(ec2, t.template_id, std::to_string(source), release.description(), script);
    rec.version = made.number;
    rec.created = true;
    if (t.group_version == "$Default") aws::set_default_version(ec2, t.template_id, made.number);
    // prune: hoist's own versions beyond the newest `keep`, never the default
    auto all = aws::describe_template_versions(ec2, t.template_id);
    std::vector<aws::TemplateVersion> mine;
    for (const auto& v : all)
        if (v.description.rfind("hoist: ", 0) == 0) mine.push_back(v);
    std::sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) { return a.number > b.number; });
    std::vector<long long> old;
    for (std::size_t i = static_cast<std::size_t>(std::max(1, o.keep)); i < mine.size(); ++i)
        if (!mine[i].is_default && mine[i].number != made.number) old.push_back(mine[i].number);
    if (!old.empty()) {
        auto del = aws::delete_template_versions(ec2, t.template_id, old);
        rec.pruned = del.deleted;
        for (const auto& [n, why] : del.failed)
            rec.warnings.push_back("launch template " + t.template_id + " version " + std::to_string(n) +
                                   " was not deleted: " + why);
    }
    return rec;
}

}  // namespace hoist::deploy
