#pragma once
/// The hosts a command works on, resolved once for every command (deploy, rollback, plan, status,
/// exec, logs, lock, history), so `plan` shows the hosts a deploy would change.
#include <string>
#include <vector>

#include "config/pipeline.hpp"

namespace hoist::deploy {

/// A static host list was already restricted to `only` (--hosts) by config::load_pipeline, which
/// keeps every host of the file in `all_hosts`. With `hosts: { ec2: ... }` the running instances
/// with the tags (with `hosts: [{ asg: ... }]` the group's InService instances) are looked up now: `all_hosts` are all of them (the pool, the lock's host),
/// `hosts` those named in `only` (all when empty). Throws Error(usage) when `only` names an
/// address that is not one of the instances; aws::Error when the lookup fails.
void resolve_hosts(config::Pipeline& p, const std::vector<std::string>& only);

}  // namespace hoist::deploy
