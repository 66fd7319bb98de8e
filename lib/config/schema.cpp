// The pipeline schema: which keys exist where, their types, ranges and defaults, and the checks that
// involve several keys. One function per section, in the order of the spec; each reads what it can
// and reports everything it cannot, so one run lists every problem of the file.
#include "config/schema.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "util/names.hpp"
#include "util/strings.hpp"

namespace hoist::config {

namespace {

const std::vector<std::string> kTopKeys = {"service", "image", "tag", "registry", "build", "hosts", "ssh",
                                           "container", "healthcheck", "load_balancer", "strategy", "hooks",
                                           "stages", "release_command", "accessories", "roles"};

void read_registry(Reader& r, const Node* n, Pipeline& p) {
    if (!n || !r.expect_map(*n, "registry", {"username", "password", "insecure", "direct"})) return;
    if (auto v = r.string(n->find("username"), "registry.username")) p.registry.username = *v;
    if (auto v = r.string(n->find("password"), "registry.password")) p.registry.password = Secret(*v);
    if (auto v = r.boolean(n->find("insecure"), "registry.insecure")) p.registry.insecure = *v;
    if (auto v = r.boolean(n->find("direct"), "registry.direct")) p.registry.direct = *v;
    const Node* u = n->find("username");
    const Node* pw = n->find("password");
    bool poisoned = (u && u->invalid) || (pw && pw->invalid);
    if (!poisoned && p.registry.username.empty() != p.registry.password.empty())
        r.error(n->loc, "'registry' needs both 'username' and 'password', or neither (then credentials come "
                        "from the Docker config)");
}

void read_host_entry(Reader& r, const Node& item, const std::string& path, Pipeline& p);

/// docker -p: [ip:][hostPort:]containerPort[/tcp|udp], ports 1-65535.
bool valid_publish(const std::string& s) {
    std::string spec = s;
    auto slash = spec.find('/');
    if (slash != std::string::npos) {
        std::string proto = spec.substr(slash + 1);
        if (proto != "tcp" && proto != "udp" && proto != "sctp") return false;
        spec.resize(slash);
    }
    std::vector<std::string> parts;
    std::size_t start = 0;
    // an IPv6 address in brackets keeps its colons
    if (!spec.empty() && spec[0] == '[') {
        auto close = spec.find(']');
        if (close == std::string::npos || close + 1 >= spec.size() || spec[close + 1] != ':') return false;
        parts.push_back(spec.substr(0, close + 1));
        start = close + 2;
    }
    for (std::size_t at; (at = spec.find(':', start)) != std::string::npos; start = at + 1) parts.push_back(spec.substr(start, at - start));
    parts.push_back(spec.substr(start));
    if (parts.size() > 3) return false;
    auto port = [](const std::string& t, bool may_be_empty) {
        if (t.empty()) return may_be_empty;
        if (t.size() > 5 || t.find_first_not_of("0123456789") != std::string::npos) return false;
        int v = std::stoi(t);
        return v >= 1 && v <= 65535;
    };
    if (!port(parts.back(), false)) return false;
    if (parts.size() >= 2 && !port(parts[parts.size() - 2], parts.size() == 3)) return false;
    if (parts.size() == 3 && parts[0].empty()) return false;
    return true;
}

void read_accessories(Reader& r, const Node* n, Pipeline& p) {
    if (!n || n->is_null()) return;
    if (!n->is_map()) {
        r.error(n->loc, "'accessories' must be a map of name -> settings, got " + n->kind_name());
        return;
    }
    for (std::size_t i = 0; i < n->map.size(); ++i) {
        const std::string& name = n->map[i].first;
        const Node& a = n->map[i].second;
        std::string path = "accessories." + name;
        const Location& at = i < n->key_locs.size() ? n->key_locs[i] : a.loc;
        if (!valid_service_name(name)) {
            r.error(at, "accessory name '" + name + "' must be 1-63 characters of a-z, 0-9 and '-' (it becomes the "
                        "container name <service>-" + name + ")");
            continue;
        }
        if (!r.expect_map(a, path, {"image", "host", "hosts", "port", "volumes", "env", "secret_env", "command", "options"}))
            continue;
        Accessory acc;
        acc.name = name;
        acc.where = a.loc;
        if (auto v = r.string(a.find("image"), path + ".image")) acc.image = *v;
        else if (!a.find("image")) r.missing(a.loc, "image", path);
        const Node* host = a.find("host");
        const Node* hosts = a.find("hosts");
        Pipeline tmp;  // read_host_entry's rules, into a pipeline of its own
        if (host && hosts) r.error(hosts->loc, "'" + path + "' has both 'host' and 'hosts'; give one");
        else if (host) read_host_entry(r, *host, path + ".host", tmp);
        else if (hosts && hosts->is_seq() && !hosts->seq.empty())
            for (std::size_t k = 0; k < hosts->seq.size(); ++k)
                read_host_entry(r, hosts->seq[k], path + ".hosts[" + std::to_string(k) + "]", tmp);
        else if (hosts) r.error(hosts->loc, "'" + path + ".hosts' must be a list of at least one host");
        else r.missing(a.loc, "host", path);
        acc.hosts = tmp.hosts;
        if (auto v = r.string(a.find("port"), path + ".port")) {
            if (!valid_publish(*v))
                r.error(a.find("port")->loc, "'" + path + ".port' must be in docker -p form, e.g. \"127.0.0.1:6379:6379\" "
                                             "or \"6379:6379\"; got '" + *v + "'");
            else acc.port = *v;
        }
        if (auto v = r.string_list(a.find("volumes"), path + ".volumes")) acc.volumes = *v;
        if (auto v = r.string_map(a.find("env"), path + ".env")) acc.env = *v;
        if (auto v = r.string_list(a.find("secret_env"), path + ".secret_env")) acc.secret_env = *v;
        if (auto v = r.string_list(a.find("command"), path + ".command")) acc.command = *v;
        if (auto v = r.string_list(a.find("options"), path + ".options")) acc.options = *v;
        p.accessories[name] = std::move(acc);
    }
}

void read_container(Reader& r, const Node* n, Pipeline& p);

/// Spec section 6: `roles:` besides web. Reads after the top-level container and healthcheck, which a
/// role's own settings are merged over.
void read_roles(Reader& r, const Node* n, Pipeline& p) {
    if (!n || n->is_null()) return;
    if (!n->is_map()) {
        r.error(n->loc, "'roles' must be a map of name -> settings, got " + n->kind_name());
        return;
    }
    for (std::size_t i = 0; i < n->map.size(); ++i) {
        const std::string& name = n->map[i].first;
        const Node& rn = n->map[i].second;
        std::string path = "roles." + name;
        const Location& at = i < n->key_locs.size() ? n->key_locs[i] : rn.loc;
        if (name == web_role) {
            r.error(at, "'roles.web' is the top-level 'hosts:' (the role behind the load balancer); name this role "
                        "otherwise or move its hosts there");
            continue;
        }
        if (name == "release" || name == "run" || name == "adopted" || !valid_service_name(name)) {
            r.error(at, "role name '" + name + "' must be 1-63 characters of a-z, 0-9 and '-' and not 'release', "
                        "'run' or 'adopted' (its containers are named <service>-" + name + "-<tag>)");
            continue;
        }
        if (p.accessories.count(name)) {
            r.error(at, "'" + name + "' is both a role and an accessory (both name containers <service>-" + name + ")");
            continue;
        }
        if (!r.expect_map(rn, path, {"hosts", "command", "container", "healthcheck", "strategy", "stop_timeout"}))
            continue;
        Role role;
        role.name = name;
        role.where = at;
        role.healthcheck = p.healthcheck;
        role.healthcheck.healthy_threshold = 1;
        const Node* hosts = rn.find("hosts");
        Pipeline tmp;  // read_host_entry's rules, into a pipeline of its own
        if (hosts && hosts->is_seq() && !hosts->seq.empty())
            for (std::size_t k = 0; k < hosts->seq.size(); ++k)
                read_host_entry(r, hosts->seq[k], path + ".hosts[" + std::to_string(k) + "]", tmp);
        else if (hosts) r.error(hosts->loc, "'" + path + ".hosts' must be a list of at least one host");
        else r.missing(rn.loc, "hosts", path);
        role.hosts = tmp.hosts;
        // container: deep-merged over the top-level one (env by key; every other key replaces)
        tmp.container = p.container;
        tmp.container.env.clear();
        read_container(r, rn.find("container"), tmp);
        role.container = tmp.container;
        for (const auto& [k, v] : p.container.env) role.container.env.emplace(k, v);
        for (const auto& k : role.container.secret_env) role.container.env.erase(k);
        if (auto v = r.string_list(rn.find("command"), path + ".command")) {
            if (v->empty()) r.error(rn.find("command")->loc, "'" + path + ".command' is an empty list; leave it out to "
                                                            "run the image's CMD");
            else role.container.command = *v;
        }
        if (auto v = r.duration(rn.find("stop_timeout"), path + ".stop_timeout")) role.container.stop_timeout = *v;
        if (const Node* hc = rn.find("healthcheck"); hc && !hc->is_null()) {
            if (r.expect_map(*hc, path + ".healthcheck", {"command", "interval", "deadline", "healthy_threshold"})) {
                if (auto v = r.string_list(hc->find("command"), path + ".healthcheck.command")) {
                    if (v->empty()) r.error(hc->find("command")->loc, "'" + path + ".healthcheck.command' is an empty list");
                    role.healthcheck.command = *v;
                }
                if (auto v = r.duration(hc->find("interval"), path + ".healthcheck.interval")) role.healthcheck.interval = *v;
                if (auto v = r.duration(hc->find("deadline"), path + ".healthcheck.deadline")) role.healthcheck.deadline = *v;
                if (auto v = r.integer(hc->find("healthy_threshold"), path + ".healthcheck.healthy_threshold", 1, 100))
                    role.healthcheck.healthy_threshold = static_cast<int>(*v);
            }
        }
        if (const Node* st = rn.find("strategy"); st && !st->is_null()) {
            if (r.expect_map(*st, path + ".strategy", {"max_unavailable"}))
                if (auto v = r.string(st->find("max_unavailable"), path + ".strategy.max_unavailable")) {
                    auto c = parse_count_or_percent(*v);
                    if (!c || c->value < 1)
                        r.error(st->find("max_unavailable")->loc,
                                "'" + path + ".strategy.max_unavailable' must be a count of at least 1 or a percentage "
                                "such as 50%, got '" + *v + "'");
                    else role.max_unavailable = *c;
                }
        }
        p.roles.push_back(std::move(role));
    }
}

void read_build(Reader& r, const Node* n, Pipeline& p) {
    if (!n || n->is_null()) return;
    if (!r.expect_map(*n, "build", {"context", "dockerfile", "builder", "args", "labels", "platform"})) return;
    BuildSettings b;
    if (auto v = r.string(n->find("context"), "build.context")) b.context = *v;
    if (auto v = r.string(n->find("dockerfile"), "build.dockerfile")) b.dockerfile = *v;
    if (auto v = r.one_of(n->find("builder"), "build.builder", {"native", "docker"}))
        b.builder = *v == "docker" ? Builder::docker : Builder::native;
    if (auto v = r.string_map(n->find("args"), "build.args")) b.args = *v;
    if (auto v = r.string_map(n->find("labels"), "build.labels")) b.labels = *v;
    if (auto v = r.string(n->find("platform"), "build.platform")) {
        if (!valid_platform(*v))
            r.error(n->find("platform")->loc, "'build.platform' must look like os/arch[/variant], e.g. linux/amd64; "
                                              "got '" + *v + "'");
        else
            b.platform = *v;
    }
    p.build = b;
}

void read_host_entry(Reader& r, const Node& item, const std::string& path, Pipeline& p) {
    Host h;
    h.where = item.loc;
    if (item.is_scalar()) {
        std::string err;
        auto hs = parse_host_string(item.scalar, err);
        if (!hs) {
            r.error(item.loc, "'" + path + "': " + err);
            return;
        }
        h.address = hs->address;
        h.user = hs->user;
        h.port = hs->port;
    } else if (item.is_map()) {
        if (!r.expect_map(item, path, {"address", "user", "port"})) return;
        auto addr = r.string(item.find("address"), path + ".address");
        if (!addr) {
            if (!item.find("address")) r.missing(item.loc, "address", path);
            return;
        }
        std::string err;
        auto hs = parse_host_string(*addr, err);
        if (!hs || !hs->user.empty() || hs->port) {
            r.error(item.find("address")->loc, "'" + path + ".address' must be a bare address; put user and port "
                                               "in 'user' and 'port'");
            return;
        }
        h.address = hs->address;
        if (auto v = r.string(item.find("user"), path + ".user")) h.user = *v;
        if (auto v = r.integer(item.find("port"), path + ".port", 1, 65535)) h.port = static_cast<int>(*v);
    } else {
        r.error(item.loc, "'" + path + "' must be a host string \"[user@]host[:port]\" or a map, got " +
                              item.kind_name());
        return;
    }
    p.hosts.push_back(h);
}

/// An SSM parameter name as AWS accepts it: letters, digits, `_.-/`, at most 2048 characters, a
/// path starting with '/' (or a bare name without any '/').
bool valid_ssm_name(const std::string& n) {
    if (n.empty() || n.size() > 2048) return false;
    for (char c : n)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-' && c != '/') return false;
    if (n.find('/') != std::string::npos && n[0] != '/') return false;
    return n.find("//") == std::string::npos && n.back() != '/';
}

/// `{ asg: { name, region, address, launch, ssm } }` as an entry of `hosts`.
void read_asg(Reader& r, const Node& item, const std::string& path, Pipeline& p) {
    if (!r.expect_map(item, path, {"asg"})) return;
    const Node& a = *item.find("asg");
    const std::string ap = path + ".asg";
    if (!r.expect_map(a, ap, {"name", "region", "address", "launch", "ssm"})) return;
    AsgDiscovery d;
    if (auto v = r.string(a.find("name"), ap + ".name")) {
        if (v->empty() || v->size() > 255) r.error(a.find("name")->loc, "'" + ap + ".name' must be 1 to 255 characters");
        d.name = *v;
    } else if (!a.find("name")) {
        r.missing(a.loc, "name", ap);
    }
    if (auto v = r.string(a.find("region"), ap + ".region")) d.region = *v;
    if (auto v = r.one_of(a.find("address"), ap + ".address", {"private", "public"})) d.address = *v;
    if (auto v = r.one_of(a.find("launch"), ap + ".launch", {"converge"})) {
        d.launch_converge = true;
        r.remember("asg.launch", a.find("launch")->loc);
    }
    if (auto v = r.string_map(a.find("ssm"), ap + ".ssm")) {
        r.remember("asg.ssm", a.find("ssm")->loc);
        for (const auto& [k, name] : *v)
            if (!valid_ssm_name(name))
                r.error(a.find("ssm")->loc, "'" + ap + ".ssm." + k + "': '" + name +
                                                "' is not an SSM parameter name (letters, digits, _ . - and /, a path "
                                                "starts with '/', at most 2048 characters)");
        d.ssm = *v;
    }
    p.asg = d;
}

void read_hosts(Reader& r, const Node* n, const Node& root, Pipeline& p) {
    if (!n || n->is_null()) {
        r.missing(n ? n->loc : root.loc, "hosts");
        return;
    }
    r.remember("hosts", n->loc);
    if (n->is_map()) {
        if (!r.expect_map(*n, "hosts", {"ec2"})) return;
        const Node* e = n->find("ec2");
        if (!e) {
            r.error(n->loc, "'hosts' as a map needs 'ec2'; otherwise write a list of hosts");
            return;
        }
        if (!r.expect_map(*e, "hosts.ec2", {"region", "tags", "address"})) return;
        Ec2Discovery d;
        // No region: AWS_REGION / AWS_DEFAULT_REGION / the profile's, resolved when the hosts are looked up.
        if (auto v = r.string(e->find("region"), "hosts.ec2.region")) d.region = *v;
        if (auto v = r.string_map(e->find("tags"), "hosts.ec2.tags")) d.tags = *v;
        if (d.tags.empty() && !e->find("tags")) r.missing(e->loc, "tags", "hosts.ec2");
        if (auto v = r.one_of(e->find("address"), "hosts.ec2.address", {"private", "public"})) d.address = *v;
        p.ec2 = d;
        return;
    }
    if (!n->is_seq()) {
        r.error(n->loc, "'hosts' must be a list of hosts, got " + (n->is_scalar() ? "'" + n->scalar + "'" : n->kind_name()));
        return;
    }
    if (n->seq.empty()) r.error(n->loc, "'hosts' must list at least one host");
    for (std::size_t i = 0; i < n->seq.size(); ++i) {
        std::string path = "hosts[" + std::to_string(i) + "]";
        if (n->seq[i].is_map() && n->seq[i].find("asg")) {
            if (n->seq.size() != 1)
                r.error(n->seq[i].loc, "'" + path + ".asg': an Auto Scaling group must be the only entry of 'hosts' "
                                       "(its instances are the hosts)");
            read_asg(r, n->seq[i], path, p);
        } else {
            read_host_entry(r, n->seq[i], path, p);
        }
    }
}

std::optional<JumpHost> parse_jump(Reader& r, const Node& item, const std::string& path) {
    if (!item.is_scalar()) {
        r.error(item.loc, "'" + path + "' must be \"[user@]host[:port]\", got " + item.kind_name());
        return std::nullopt;
    }
    std::string err;
    auto hs = parse_host_string(item.scalar, err);
    if (!hs) {
        r.error(item.loc, "'" + path + "': " + err);
        return std::nullopt;
    }
    return JumpHost{hs->user, hs->address, hs->port ? hs->port : 22};
}

void read_ssh(Reader& r, const Node* n, Pipeline& p) {
    if (!n || !r.expect_map(*n, "ssh", {"user", "port", "identity_files", "known_hosts", "host_key_checking",
                                        "proxy_jump", "config", "connect_timeout", "command_timeout",
                                        "max_parallel"}))
        return;
    auto& s = p.ssh;
    if (auto v = r.string(n->find("user"), "ssh.user")) s.user = *v;
    if (auto v = r.integer(n->find("port"), "ssh.port", 1, 65535)) s.port = static_cast<int>(*v);
    if (auto v = r.string_list(n->find("identity_files"), "ssh.identity_files")) s.identity_files = *v;
    if (auto v = r.string(n->find("known_hosts"), "ssh.known_hosts")) s.known_hosts = *v;
    if (auto v = r.one_of(n->find("host_key_checking"), "ssh.host_key_checking", {"strict", "accept-new", "off"}))
        s.host_key_checking = *v == "strict" ? HostKeyChecking::strict
                              : *v == "off"  ? HostKeyChecking::off
                                             : HostKeyChecking::accept_new;
    if (const Node* j = n->find("proxy_jump"); j && !j->is_null()) {
        r.remember("ssh.proxy_jump", j->loc);
        if (j->is_seq()) {
            for (std::size_t i = 0; i < j->seq.size(); ++i)
                if (auto h = parse_jump(r, j->seq[i], "ssh.proxy_jump[" + std::to_string(i) + "]"))
                    s.proxy_jump.push_back(*h);
        } else if (auto h = parse_jump(r, *j, "ssh.proxy_jump")) {
            s.proxy_jump.push_back(*h);
        }
    }
    if (auto v = r.string(n->find("config"), "ssh.config")) s.config = *v;
    if (auto v = r.duration(n->find("connect_timeout"), "ssh.connect_timeout")) s.connect_timeout = *v;
    if (auto v = r.duration(n->find("command_timeout"), "ssh.command_timeout")) s.command_timeout = *v;
    if (auto v = r.integer(n->find("max_parallel"), "ssh.max_parallel", 1, 1024)) s.max_parallel = static_cast<int>(*v);
    if (s.connect_timeout.count() == 0 && n->find("connect_timeout"))
        r.error(n->find("connect_timeout")->loc, "'ssh.connect_timeout' must be more than 0");
}

void read_container(Reader& r, const Node* n, Pipeline& p) {
    if (!n || !r.expect_map(*n, "container", {"port", "host_port", "env", "secret_env", "volumes", "command",
                                              "options", "stop_timeout", "runtime"}))
        return;
    auto& c = p.container;
    if (auto v = r.integer(n->find("port"), "container.port", 1, 65535)) c.port = static_cast<int>(*v);
    if (auto v = r.integer(n->find("host_port"), "container.host_port", 1, 65535)) c.host_port = static_cast<int>(*v);
    if (auto v = r.string_map(n->find("env"), "container.env")) {
        c.env = *v;
        for (const auto& [k, _] : c.env)
            if (!valid_env_name(k))
                r.error(n->find("env")->loc, "'container.env' has an invalid variable name '" + k + "'");
    }
    if (auto v = r.string_list(n->find("secret_env"), "container.secret_env")) {
        c.secret_env = *v;
        for (std::size_t i = 0; i < v->size(); ++i) {
            const Node& item = n->find("secret_env")->seq[i];
            if (!valid_env_name((*v)[i]))
                r.error(item.loc, "'container.secret_env' has an invalid variable name '" + (*v)[i] + "'");
            else if (c.env.count((*v)[i]))
                r.error(item.loc, "'" + (*v)[i] + "' is in both 'container.env' and 'container.secret_env'");
        }
    }
    if (auto v = r.string_list(n->find("volumes"), "container.volumes")) c.volumes = *v;
    if (auto v = r.string_list(n->find("command"), "container.command")) c.command = *v;
    if (auto v = r.string_list(n->find("options"), "container.options")) c.options = *v;
    if (auto v = r.duration(n->find("stop_timeout"), "container.stop_timeout")) c.stop_timeout = *v;
    if (auto v = r.one_of(n->find("runtime"), "container.runtime", {"docker", "podman"}))
        c.runtime = *v == "podman" ? Runtime::podman : Runtime::docker;
}

void read_healthcheck(Reader& r, const Node* n, Pipeline& p) {
    if (!n || !r.expect_map(*n, "healthcheck", {"path", "expect_status", "interval", "timeout",
                                                "healthy_threshold", "deadline"}))
        return;
    auto& h = p.healthcheck;
    if (auto v = r.string(n->find("path"), "healthcheck.path")) {
        if (v->empty() || (*v)[0] != '/')
            r.error(n->find("path")->loc, "'healthcheck.path' must start with '/', got '" + *v + "'");
        else
            h.path = *v;
    }
    if (auto v = r.string(n->find("expect_status"), "healthcheck.expect_status")) {
        auto parts = split(*v, '-');
        auto lo = parse_int(parts[0]);
        auto hi = parts.size() == 2 ? parse_int(parts[1]) : lo;
        if (parts.size() > 2 || !lo || !hi || *lo < 100 || *hi > 599 || *lo > *hi)
            r.error(n->find("expect_status")->loc,
                    "'healthcheck.expect_status' must be a status or a range such as 200-399, got '" + *v + "'");
        else {
            h.expect_min = static_cast<int>(*lo);
            h.expect_max = static_cast<int>(*hi);
        }
    }
    if (auto v = r.duration(n->find("interval"), "healthcheck.interval")) h.interval = *v;
    if (auto v = r.duration(n->find("timeout"), "healthcheck.timeout")) h.timeout = *v;
    if (auto v = r.integer(n->find("healthy_threshold"), "healthcheck.healthy_threshold", 1, 100))
        h.healthy_threshold = static_cast<int>(*v);
    if (auto v = r.duration(n->find("deadline"), "healthcheck.deadline")) h.deadline = *v;
    if (h.deadline < h.interval * h.healthy_threshold)
        r.error(n->find("deadline") ? n->find("deadline")->loc : n->loc,
                "'healthcheck.deadline' (" + format_duration(h.deadline) + ") is shorter than " +
                    std::to_string(h.healthy_threshold) + " passes at 'healthcheck.interval' (" +
                    format_duration(h.interval) + "): no host could ever pass");
}

void read_load_balancer(Reader& r, const Node* n, Pipeline& p) {
    if (!n || !r.expect_map(*n, "load_balancer",
                            {"type", "host", "upstream", "config_path", "test_command", "reload_command",
                             "drain_time", "socket", "backend", "region", "target_group_arn", "listener_arn",
                             "target_groups", "canary", "canary_pause"}))
        return;
    auto& lb = p.load_balancer;
    if (auto v = r.one_of(n->find("type"), "load_balancer.type", {"nginx", "haproxy", "alb", "none"}))
        lb.type = *v == "nginx" ? LoadBalancerType::nginx
                  : *v == "haproxy" ? LoadBalancerType::haproxy
                  : *v == "alb"     ? LoadBalancerType::alb
                                    : LoadBalancerType::none;
    else if (!n->find("type"))
        r.error(n->loc, "missing required key 'type' in 'load_balancer' (nginx, haproxy, alb or none)");
    if (auto v = r.string(n->find("host"), "load_balancer.host")) {
        std::string err;
        if (*v != "local" && !parse_host_string(*v, err))
            r.error(n->find("host")->loc, "'load_balancer.host': " + err);
        else
            lb.host = *v;
    }
    // Both names are written into the balancer's configuration and commands verbatim.
    auto lb_name = [&](const char* key, std::string& into) {
        std::string path = std::string("load_balancer.") + key;
        if (auto v = r.string(n->find(key), path)) {
            if (!valid_lb_name(*v))
                r.error(n->find(key)->loc, "'" + path + "' must be 1-128 characters of letters, digits, '.', '-' "
                                           "and '_'; got '" + *v + "'");
            else
                into = *v;
        }
    };
    lb_name("upstream", lb.upstream);
    if (auto v = r.string(n->find("config_path"), "load_balancer.config_path")) lb.config_path = *v;
    if (auto v = r.string(n->find("test_command"), "load_balancer.test_command")) lb.test_command = *v;
    if (auto v = r.string(n->find("reload_command"), "load_balancer.reload_command")) lb.reload_command = *v;
    if (auto v = r.duration(n->find("drain_time"), "load_balancer.drain_time")) lb.drain_time = *v;
    if (auto v = r.string(n->find("socket"), "load_balancer.socket")) lb.socket = *v;
    lb_name("backend", lb.backend);
    if (auto v = r.string(n->find("region"), "load_balancer.region")) lb.region = *v;
    if (auto v = r.string(n->find("target_group_arn"), "load_balancer.target_group_arn")) lb.target_group_arn = *v;
    if (auto v = r.string(n->find("listener_arn"), "load_balancer.listener_arn")) lb.listener_arn = *v;
    if (const Node* tg = n->find("target_groups")) {
        if (r.expect_map(*tg, "load_balancer.target_groups", {"blue", "green"}))
            if (auto v = r.string_map(tg, "load_balancer.target_groups")) lb.target_groups = *v;
    }
    if (auto v = r.string_list(n->find("canary"), "load_balancer.canary")) {
        int last = 0;
        for (std::size_t i = 0; i < v->size(); ++i) {
            std::string text = trim((*v)[i]);
            if (ends_with(text, "%")) text.pop_back();
            auto pct = parse_int(text);
            const Location& at = n->find("canary")->seq[i].loc;
            if (!pct || *pct <= last || *pct >= 100) {
                r.error(at, "'load_balancer.canary' must be increasing percentages between 1 and 99 (the last step, "
                            "100, is implied); got '" + (*v)[i] + "'");
                break;
            }
            last = static_cast<int>(*pct);
            lb.canary.push_back(last);
        }
    }
    if (auto v = r.duration(n->find("canary_pause"), "load_balancer.canary_pause")) lb.canary_pause = *v;
}

void read_strategy(Reader& r, const Node* n, Pipeline& p) {
    if (!n || !r.expect_map(*n, "strategy", {"type", "max_unavailable", "pause", "ports", "keep_previous",
                                             "on_failure"}))
        return;
    auto& s = p.strategy;
    if (auto v = r.one_of(n->find("type"), "strategy.type", {"rolling", "blue_green"}))
        s.type = *v == "blue_green" ? StrategyType::blue_green : StrategyType::rolling;
    if (auto v = r.string(n->find("max_unavailable"), "strategy.max_unavailable")) {
        auto c = parse_count_or_percent(*v);
        if (!c || c->value == 0)
            r.error(n->find("max_unavailable")->loc,
                    "'strategy.max_unavailable' must be a count of at least 1 or a percentage such as 25%, got '" +
                        *v + "'");
        else
            s.max_unavailable = *c;
    }
    if (auto v = r.duration(n->find("pause"), "strategy.pause")) s.pause = *v;
    if (const Node* ports = n->find("ports")) {
        if (r.expect_map(*ports, "strategy.ports", {"blue", "green"})) {
            if (auto v = r.integer(ports->find("blue"), "strategy.ports.blue", 1, 65535)) s.blue_port = static_cast<int>(*v);
            if (auto v = r.integer(ports->find("green"), "strategy.ports.green", 1, 65535)) s.green_port = static_cast<int>(*v);
        }
    }
    if (auto v = r.boolean(n->find("keep_previous"), "strategy.keep_previous")) s.keep_previous = *v;
    if (auto v = r.one_of(n->find("on_failure"), "strategy.on_failure", {"rollback", "halt"}))
        s.on_failure = *v == "halt" ? OnFailure::halt : OnFailure::rollback;
}

void read_hooks(Reader& r, const Node* n, Pipeline& p) {
    if (!n || !r.expect_map(*n, "hooks", {"pre_build", "pre_deploy", "post_deploy"})) return;
    if (auto v = r.string_list(n->find("pre_build"), "hooks.pre_build")) p.hooks.pre_build = *v;
    if (auto v = r.string_list(n->find("pre_deploy"), "hooks.pre_deploy")) p.hooks.pre_deploy = *v;
    if (auto v = r.string_list(n->find("post_deploy"), "hooks.post_deploy")) p.hooks.post_deploy = *v;
    for (const char* phase : {"pre_build", "pre_deploy", "post_deploy"})
        if (const Node* list = n->find(phase); list && list->is_seq())
            for (const auto& item : list->seq)
                if (item.is_scalar() && !item.as_written.empty()) p.hooks.as_written[item.scalar] = item.as_written;
}

/// `registry: { direct: true }` (spec section 7): decides what 'image' may look like, so it is
/// read before the registry section itself is.
bool direct_registry(const Node& root) {
    const Node* reg = root.find("registry");
    const Node* d = reg && reg->is_map() ? reg->find("direct") : nullptr;
    return d && d->is_scalar() && d->scalar == "true";
}

void read_identity(Reader& r, const Node& root, Pipeline& p) {
    if (auto v = r.string(root.find("service"), "service")) {
        if (!valid_service_name(*v))
            r.error(root.find("service")->loc, "'service' must be 1-63 characters of a-z, 0-9 and '-', starting "
                                               "with a letter or digit; got '" + *v + "'");
        else
            p.service = *v;
    } else if (!root.find("service")) {
        r.missing(root.loc, "service");
    }
    if (auto v = r.string(root.find("image"), "image")) {
        const Location& at = root.find("image")->loc;
        auto slash = v->find('/');
        std::string first = slash == std::string::npos ? "" : v->substr(0, slash);
        std::string last = v->substr(v->rfind('/') + 1);
        if (v->find('@') != std::string::npos || last.find(':') != std::string::npos)
            r.error(at, "'image' must not carry a tag or digest; put the tag in 'tag' (got '" + *v + "')");
        else if (direct_registry(root) && valid_repository(*v))
            p.image = *v;  // no registry: the name is only what the hosts' runtimes call the image
        else if (first.empty() || (first.find('.') == std::string::npos && first.find(':') == std::string::npos &&
                                   first != "localhost"))
            r.error(at, "'image' must start with a registry host, e.g. registry.example.com/acme/web or "
                        "docker.io/acme/web; got '" + *v + "'");
        else if (!valid_repository(v->substr(slash + 1)))
            r.error(at, "'image' repository '" + v->substr(slash + 1) + "' must be lowercase path components "
                        "of a-z, 0-9, '.', '_' and '-'");
        else
            p.image = *v;
    } else if (!root.find("image")) {
        r.missing(root.loc, "image");
    }
    if (auto v = r.string(root.find("tag"), "tag")) {
        if (!v->empty() && !valid_tag(*v))
            r.error(root.find("tag")->loc, std::string("'tag' must be ") + tag_rule + "; got '" + *v + "'");
        else
            p.tag = *v;
    }
}

/// Checks that involve several sections.
void cross_checks(Reader& r, const Node& root, Pipeline& p) {
    const Node* strategy = root.find("strategy");
    const Node* lbn = root.find("load_balancer");
    auto loc = [&](const std::string& path, const Node* fallback) {
        Location l = p.where(path);
        return l.known() ? l : (fallback ? fallback->loc : root.loc);
    };

    // Hosts: defaults from ssh, duplicates.
    std::set<std::string> seen;
    for (auto& h : p.hosts) {
        if (h.user.empty()) h.user = p.ssh.user;
        if (h.port == 0) h.port = p.ssh.port;
        std::string key = h.address + ":" + std::to_string(h.port);
        if (!seen.insert(key).second) r.error(h.where, "host '" + h.address + "' is listed twice");
    }
    for (auto& role : p.roles) {
        std::set<std::string> in_role;
        for (auto& h : role.hosts) {
            if (h.user.empty()) h.user = p.ssh.user;
            if (h.port == 0) h.port = p.ssh.port;
            if (!in_role.insert(h.address + ":" + std::to_string(h.port)).second)
                r.error(h.where, "host '" + h.address + "' is listed twice in role " + role.name);
        }
    }
    for (auto& [name, a] : p.accessories)
        for (auto& h : a.hosts) {
            if (h.user.empty()) h.user = p.ssh.user;
            if (h.port == 0) h.port = p.ssh.port;
        }

    if (p.strategy.type == StrategyType::blue_green) {
        if (p.strategy.blue_port == p.strategy.green_port)
            r.error(loc("strategy.ports", strategy),
                    "blue_green needs two distinct ports in 'strategy.ports', got blue " +
                        std::to_string(p.strategy.blue_port) + " and green " + std::to_string(p.strategy.green_port));
    } else if (!p.hosts.empty() && p.load_balancer.type != LoadBalancerType::none) {
        long long n = static_cast<long long>(p.hosts.size());
        long long k = p.strategy.max_unavailable.resolve(n);
        if (k >= n && n > 1)
            r.error(loc("strategy.max_unavailable", strategy),
                    "'strategy.max_unavailable' takes " + std::to_string(k) + " of the " + std::to_string(n) +
                        " hosts out of the pool at once: at least one must keep serving (use at most " +
                        std::to_string(n - 1) + ", or strategy blue_green)");
    }

    const auto& lb = p.load_balancer;
    auto need = [&](bool ok, const std::string& key, const std::string& why) {
        if (lbn && lbn->is_map() && lbn->find(key)) ok = true;  // given but invalid: reported where it is
        if (!ok) r.error(lbn ? lbn->loc : root.loc, "load_balancer type " + to_string(lb.type) +
                                                        " needs 'load_balancer." + key + "'" + why);
    };
    switch (lb.type) {
        case LoadBalancerType::nginx:
            need(!lb.host.empty(), "host", " (an address reached over SSH, or \"local\")");
            need(!lb.upstream.empty(), "upstream", "");
            need(!lb.config_path.empty(), "config_path", " (the one file hoist owns)");
            break;
        case LoadBalancerType::haproxy:
            need(!lb.host.empty(), "host", " (an address reached over SSH, or \"local\")");
            need(!lb.backend.empty(), "backend", "");
            break;
        case LoadBalancerType::alb:
            // No region here means AWS_REGION / AWS_DEFAULT_REGION / the profile's, resolved at deploy time.
            if (p.strategy.type == StrategyType::rolling)
                need(!lb.target_group_arn.empty(), "target_group_arn", " for a rolling deploy");
            else {
                need(!lb.listener_arn.empty(), "listener_arn", " for a blue_green deploy");
                need(lb.target_groups.count("blue") && lb.target_groups.count("green"), "target_groups",
                     " with 'blue' and 'green' for a blue_green deploy");
            }
            break;
        case LoadBalancerType::none: break;
    }
    if (!lb.canary.empty() && (lb.type != LoadBalancerType::alb || p.strategy.type != StrategyType::blue_green))
        r.error(loc("load_balancer.canary", lbn),
                "'load_balancer.canary' (weighted traffic steps) needs load_balancer type alb and strategy blue_green");

    // launch: converge (spec section 8): what the user data needs, known before any deploy
    if (p.asg) {
        const auto& a = *p.asg;
        const Location at = loc("asg.launch", root.find("hosts"));
        if (!a.launch_converge && !a.ssm.empty())
            r.error(loc("asg.ssm", root.find("hosts")),
                    "'asg.ssm' names where instances read their secrets at boot; it needs 'launch: converge'");
        if (a.launch_converge) {
            for (const auto& name : p.container.secret_env)
                if (!a.ssm.count(name))
                    r.error(at, "launch: converge: the secret '" + name +
                                    "' has no SSM parameter; instances read it at boot, so add it to 'asg.ssm' "
                                    "(e.g. ssm: { " + name + ": /" + p.service + "/" + name + " })");
            for (const auto& [k, name] : a.ssm)
                if (std::find(p.container.secret_env.begin(), p.container.secret_env.end(), k) ==
                    p.container.secret_env.end())
                    r.error(loc("asg.ssm", root.find("hosts")),
                            "'asg.ssm." + k + "' is not in 'container.secret_env'");
            if (p.registry.direct)
                r.error(at, "launch: converge needs a registry: an instance launched later pulls the image at "
                            "boot, and registry.direct sends it only to the hosts of a deploy");
            else if (p.registry.has_credentials())
                r.error(at, "launch: converge: the instances pull at boot without hoist, and the registry's "
                            "password cannot go into user data (anyone who may describe the launch template "
                            "reads it); use ECR (the instance profile logs in) or a registry the instances reach "
                            "without a password");
        }
    }

    if (p.ssh.host_key_checking == HostKeyChecking::off)
        r.warning(loc("ssh.host_key_checking", root.find("ssh")),
                  "host_key_checking is off: hosts are not authenticated and a man in the middle can take over "
                  "the deploy");
}

}  // namespace

void read_pipeline(Reader& r, const Node& root, Pipeline& p) {
    if (!root.is_map()) {
        r.error(root.loc, root.is_null() ? "the pipeline file is empty; it needs at least 'service', 'image' and "
                                           "'hosts' ('hoist init' writes a starter file)"
                                         : "the pipeline file must be a map of settings, got " + root.kind_name());
        return;
    }
    r.expect_map(root, "", kTopKeys);
    read_identity(r, root, p);
    read_registry(r, root.find("registry"), p);
    read_build(r, root.find("build"), p);
    read_hosts(r, root.find("hosts"), root, p);
    read_ssh(r, root.find("ssh"), p);
    read_container(r, root.find("container"), p);
    read_healthcheck(r, root.find("healthcheck"), p);
    read_load_balancer(r, root.find("load_balancer"), p);
    read_strategy(r, root.find("strategy"), p);
    read_hooks(r, root.find("hooks"), p);
    read_accessories(r, root.find("accessories"), p);
    read_roles(r, root.find("roles"), p);
    if (const Node* rc = root.find("release_command")) {
        if (auto v = r.string_list(rc, "release_command")) {
            if (v->empty()) r.error(rc->loc, "'release_command' is an empty list; give the command and its arguments, "
                                             "e.g. [\"bin/migrate\"], or leave it out");
            else p.release_command = *v;
        }
    }
    cross_checks(r, root, p);
}

const std::vector<std::string>& top_level_keys() { return kTopKeys; }

}  // namespace hoist::config
