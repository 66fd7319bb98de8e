#pragma once
/// The one place a pipeline's hosts and `ssh:` settings become the ssh layer's narrow settings
/// (ssh/settings.hpp): relative paths resolved against the pipeline's directory, what the file
/// wrote explicitly marked so, the host key policy carried over. Every command reaches its hosts
/// through here; lib/ssh never sees a config::Pipeline.
#include <memory>

#include "config/pipeline.hpp"
#include "ssh/fleet.hpp"
#include "ssh/settings.hpp"

namespace hoist::deploy {

/// The ssh settings of `p`'s hosts (p.hosts, in their order).
ssh::Settings ssh_settings(const config::Pipeline& p);

/// Real SSH connections to `p`'s hosts; ssh_config problems go to `warn`.
std::unique_ptr<ssh::Fleet> connect_fleet(const config::Pipeline& p, ssh::Warn warn);

}  // namespace hoist::deploy
