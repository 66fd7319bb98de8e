#pragma once
/// The values of `secret_env` (web, a role, an accessory) and the 0600 env files they reach hosts in:
/// one reading of hoist's environment and one file format for every container hoist starts.
#include <map>
#include <string>
#include <vector>

#include "util/secret.hpp"

namespace hoist::deploy {

/// The values of `names` from hoist's environment, read before anything is touched. Throws
/// Error(usage) naming every variable that is not set (`where`: the setting, in the message, e.g.
/// "container.secret_env"), and one that holds a newline, which an env file line cannot carry.
std::map<std::string, Secret> secret_values(const std::vector<std::string>& names, const std::string& where);

/// The env file's text: `NAME=value` a line, in the order of `names`; every name is in `values`.
std::string secret_env_file(const std::vector<std::string>& names, const std::map<std::string, Secret>& values);

}  // namespace hoist::deploy
