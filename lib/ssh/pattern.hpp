#pragma once
/// OpenSSH's host patterns (match.c), shared by known_hosts and ssh_config: `*` and `?` wildcards,
/// `!` negation. known_hosts compares without regard to case; ssh_config's Host lines compare
/// exactly (`ssh -G Web1` does not match `Host web?`), so case is the caller's choice.
#include <string>
#include <vector>

namespace hoist::ssh {

/// Whether `text` matches one pattern (no negation).
bool match_pattern(const std::string& pattern, const std::string& text, bool ignore_case = true);

/// A pattern list as OpenSSH reads it: the list matches when some positive pattern matches and no
/// negated one does. A list with only negations never matches.
bool match_pattern_list(const std::vector<std::string>& patterns, const std::string& text,
                        bool ignore_case = true);

/// Splits "a,b,c" (known_hosts) or "a b c" (ssh_config) into patterns.
std::vector<std::string> split_patterns(const std::string& text, char sep);

}  // namespace hoist::ssh
