#include "deploy/accessories.hpp"
#include "deploy/connect.hpp"

#include "deploy/secrets.hpp"

#include <cstdlib>
#include <mutex>
#include <set>

#include "remote/docker.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

std::string container_name(const config::Pipeline& p, const config::Accessory& a) { return p.service + "-" + a.name; }

std::string settings_digest(const config::Accessory& a) {
    // one field a line, lists joined by NUL: no two different settings give the same text
    std::string text = "image=" + a.image + "\nport=" + a.port + "\n";
    auto list = [&](const char* key, const std::vector<std::string>& v) {
        text += key;
        text += "=";
        for (const auto& s : v) text += s + std::string(1, '\0');
        text += "\n";
    };
    list("volumes", a.volumes);
    list("secret_env", a.secret_env);
    list("command", a.command);
    list("options", a.options);
    for (const auto& [k, v] : a.env) text += "env:" + k + "=" + v + std::string(1, '\0');
    return sha256_hex(text).substr(0, 16);
}

remote::Command run_accessory(const config::Pipeline& p, const config::Accessory& a, const std::string& env_file) {
    std::string runtime = config::to_string(p.container.runtime);
    remote::Command c{{runtime, "run", "--detach", "--name", container_name(p, a), "--restart", "unless-stopped",
                       "--label", "hoist.accessory=" + a.name, "--label", "hoist.accessory-of=" + p.service,
                       "--label", "hoist.settings=" + settings_digest(a)}};
    auto add = [&](std::initializer_list<std::string> words) { c.argv.insert(c.argv.end(), words); };
    if (!a.port.empty()) add({"--publish", a.port});
    for (const auto& [k, v] : a.env) add({"--env", k + "=" + v});
    if (!env_file.empty()) add({"--env-file", env_file});
    for (const auto& v : a.volumes) add({"--volume", v});
    c.argv.insert(c.argv.end(), a.options.begin(), a.options.end());
    c.argv.push_back(a.image);
    c.argv.insert(c.argv.end(), a.command.begin(), a.command.end());
    return c;
}

std::vector<const config::Accessory*> select_accessories(const config::Pipeline& p, const std::string& name) {
    std::vector<const config::Accessory*> out;
    std::string known;
    for (const auto& [n, a] : p.accessories) {
        known += (known.empty() ? "" : ", ") + n;
        if (name == "all" || name == n) out.push_back(&a);
    }
    if (p.accessories.empty()) throw usage_error("the pipeline has no accessories (spec section 6: 'accessories:')");
    if (out.empty()) throw usage_error("no accessory '" + name + "' in the pipeline; it has: " + known + " (or 'all')");
    return out;
}

config::Pipeline accessory_fleet_pipeline(const config::Pipeline& p, const std::vector<const config::Accessory*>& which) {
    config::Pipeline q = p;
    q.hosts.clear();
    std::set<std::string> seen;
    for (const auto* a : which)
        for (const auto& h : a->hosts)
            if (seen.insert(h.address).second) q.hosts.push_back(h);
    return q;
}

namespace {

std::map<std::string, Secret> accessory_secrets(const std::vector<const config::Accessory*>& which) {
    std::map<std::string, Secret> out;
    for (const auto* a : which) out.merge(secret_values(a->secret_env, "accessories." + a->name + ".secret_env"));
    return out;
}

}  // namespace

std::vector<AccessoryOutcome> accessory_action(const config::Pipeline& p, const std::vector<const config::Accessory*>& which,
                                               AccessoryAction action, report::Output& out) {
    auto secrets = action == AccessoryAction::boot || action == AccessoryAction::reboot ? accessory_secrets(which)
                                                                                         : std::map<std::string, Secret>{};
    for (const auto& [k, v] : secrets) out.mask(v);
    config::Pipeline q = accessory_fleet_pipeline(p, which);
    std::mutex out_mutex;
    auto fleet = connect_fleet(q, [&](const std::string& w) {
        std::lock_guard<std::mutex> lock(out_mutex);
        out.warning(w);
    });
    std::string runtime = config::to_string(p.container.runtime);
    auto outcomes = fleet->each<std::vector<AccessoryOutcome>>([&](const std::string& host, ssh::Connection& c) {
        std::vector<AccessoryOutcome> done;
        ssh::ExecOptions o;
        o.timeout = p.ssh.command_timeout;
        for (const auto* a : which) {
            bool here = false;
            for (const auto& h : a->hosts) here = here || h.address == host;
            if (!here) continue;
            AccessoryOutcome r{a->name, host, "", ""};
            std::string name = container_name(p, *a);
            auto state = c.exec(remote::Command{{runtime, "inspect", "--format",
                                                 "{{.State.Status}} {{index .Config.Labels \"hoist.settings\"}}", name}},
                                o);
            bool exists = state.ok();
            auto words = split(trim(state.out), ' ');
            std::string status = exists && !words.empty() ? words[0] : "absent";
            std::string digest = exists && words.size() > 1 ? words[1] : "";
            auto fail = [&](const std::string& what, const ssh::ExecResult& e) {
                r.result = "failed";
                r.detail = what + ": " + trim(e.err.empty() ? e.out : e.err);
            };
            auto remove = [&]() {
                auto stop = c.exec(remote::stop(runtime, name, std::chrono::seconds(30)), o);
                (void)stop;  // a stopped container is fine; rm --force below decides
                auto rm = c.exec(remote::remove(runtime, name), o);
                if (!rm.ok() && to_lower(rm.err).find("no such container") == std::string::npos) {
                    fail("removing " + name, rm);
                    return false;
                }
                return true;
            };
            auto start = [&]() {
                std::string env_file;
                if (!a->secret_env.empty()) {
                    env_file = remote::env_file_path(p.service, name);
                    c.upload(env_file, secret_env_file(a->secret_env, secrets), 0600);
                }
                auto run = c.exec(run_accessory(p, *a, env_file), o);
                // docker read the env file into the container's config; the file is not needed again
                if (!env_file.empty()) c.exec(remote::Command{{"rm", "-f", env_file}}, o);
                if (!run.ok()) {
                    fail("starting " + name + " (" + a->image + ")", run);
                    return false;
                }
                return true;
            };
            switch (action) {
                case AccessoryAction::status:
                    r.result = status;
                    r.detail = !exists ? "not booted" : digest == settings_digest(*a) ? "settings as in the file"
                                                                                      : "settings differ from the file: reboot applies them";
                    break;
                case AccessoryAction::remove:
                    if (!exists) r.result = "absent";
                    else if (remove()) r.result = "removed", r.detail = "volumes and their host directories are kept";
                    break;
                case AccessoryAction::boot:
                    if (exists && digest != settings_digest(*a)) {
                        r.result = "changed";
                        r.detail = name + " runs with other settings than the file's; `hoist accessory reboot " + a->name +
                                   "` replaces it (a restart of a stateful service is a person's decision)";
                    } else if (exists && status == "running") {
                        r.result = "running";
                        r.detail = "already running with these settings: nothing to do";
                    } else if (exists) {
                        auto st = c.exec(remote::start(runtime, name), o);
                        if (st.ok()) r.result = "restarted", r.detail = "was " + status + "; started again";
                        else fail("starting " + name + " again", st);
                    } else if (start()) {
                        r.result = "started";
                        r.detail = a->image + (a->port.empty() ? "" : " on " + a->port);
                    }
                    break;
                case AccessoryAction::reboot:
                    if ((!exists || remove()) && start()) {
                        r.result = "rebooted";
                        r.detail = a->image + (a->port.empty() ? "" : " on " + a->port);
                    }
                    break;
            }
            done.push_back(r);
        }
        return done;
    }, {});
    std::vector<AccessoryOutcome> all;
    for (auto& o : outcomes) {
        if (!o.ok()) {
            for (const auto* a : which)
                for (const auto& h : a->hosts)
                    if (h.address == o.host) all.push_back({a->name, o.host, "failed", o.error});
            continue;
        }
        for (auto& r : *o.value) all.push_back(std::move(r));
    }
    return all;
}

}  // namespace hoist::deploy
