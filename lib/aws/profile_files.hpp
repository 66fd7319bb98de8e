#pragma once
/// The AWS shared files: `~/.aws/credentials` and `~/.aws/config` (INI), read the way the AWS CLI
/// reads them. In the credentials file a section is `[name]`; in the config file it is
/// `[profile name]` (and `[default]`); other config sections (`[sso-session x]`, `[services x]`, a
/// bare `[name]`) are not profiles. Keys are case-insensitive; `#` and `;` start comment lines;
/// indented lines under a key with an empty value (nested settings such as `s3 =`) are skipped.
#include <map>
#include <string>

namespace hoist::aws {

using ProfileSection = std::map<std::string, std::string>;  ///< lower-case key -> value
using ProfileFile = std::map<std::string, ProfileSection>;  ///< profile name -> settings

/// Parses one file's text. `config_file` selects the config file's section naming.
ProfileFile parse_profile_file(const std::string& text, bool config_file);

/// Reads and parses `path`; an absent file is an empty result (`found` false).
ProfileFile read_profile_file(const std::string& path, bool config_file, bool* found = nullptr);

}  // namespace hoist::aws
