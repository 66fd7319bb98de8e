#pragma once
/// Accessories (spec section 6): long-lived companions of a service (Redis, a database) that
/// `deploy` and `rollback` never touch. `hoist accessory boot|reboot|remove|logs|status`.
///
/// An accessory's container is `<service>-<name>`, labelled `hoist.accessory=<name>`,
/// `hoist.accessory-of=<service>` (never `hoist.service`, so a deploy never takes it for one of
/// its containers) and `hoist.settings=<digest>` of everything that shapes it (image, port,
/// volumes, env, names of the secret env, command, options; never secret values). Boot is
/// idempotent: a running container with the same settings is left alone; other settings are
/// reported, never replaced behind a person's back (that is `reboot`).
#include <string>
#include <vector>

#include "config/pipeline.hpp"
#include "remote/shell.hpp"
#include "report/output.hpp"
#include "ssh/fleet.hpp"
#include "util/secret.hpp"

namespace hoist::deploy {

/// What happened to one accessory on one host.
struct AccessoryOutcome {
    std::string accessory, host;
    /// started | running | restarted | rebooted | changed | removed | absent | failed; status: the
    /// container's state word (running, exited, ...) or "absent"
    std::string result;
    std::string detail;
    bool ok() const { return result != "failed" && result != "changed"; }
};

std::string container_name(const config::Pipeline& p, const config::Accessory& a);
/// sha256 of the settings that shape the container, hex, first 16 characters.
std::string settings_digest(const config::Accessory& a);
/// The `docker run` of an accessory (env_file: the 0600 file of its secret_env values, or empty).
remote::Command run_accessory(const config::Pipeline& p, const config::Accessory& a, const std::string& env_file);

/// The accessories NAME names ("all": every one); throws a usage error naming the known ones.
std::vector<const config::Accessory*> select_accessories(const config::Pipeline& p, const std::string& name);

enum class AccessoryAction { boot, reboot, remove, status };

/// Runs `action` for `which` on every host of each, hosts in parallel. Secret env values come from
/// hoist's environment (a missing one is an error before anything is touched).
std::vector<AccessoryOutcome> accessory_action(const config::Pipeline& p, const std::vector<const config::Accessory*>& which,
                                               AccessoryAction action, report::Output& out);

/// A pipeline whose hosts are the accessories' hosts (for deploy::connect_fleet).
config::Pipeline accessory_fleet_pipeline(const config::Pipeline& p, const std::vector<const config::Accessory*>& which);

}  // namespace hoist::deploy
