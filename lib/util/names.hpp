#pragma once
/// The grammars of names that end up in file paths, container names, image references and shell
/// environments: tags, repositories, platforms, variable and service names.
///
/// Hand-written rather than std::regex: libstdc++'s matcher recurses once per character, so a
/// long enough value (a 50k-character `build.platform`, a long `FROM`) overflows the stack.
/// These run in linear time and constant stack on any input.
#include <string>
#include <string_view>

namespace hoist {

/// An image tag: 1-128 of [A-Za-z0-9_.-], not starting with '.' or '-' (Docker's rule). A valid
/// tag has no '/' and is never "." or "..", so it is safe in a file name.
bool valid_tag(std::string_view s);
/// What valid_tag() requires, for error messages.
extern const char* const tag_rule;

/// A repository path: '/'-separated components of [a-z0-9]+ joined by '.', '_', '__' or runs of
/// '-' (the OCI distribution grammar).
bool valid_repository(std::string_view s);

/// os/arch[/variant]: [a-z0-9]+ / [a-z0-9_]+ [/ [a-z0-9]+].
bool valid_platform(std::string_view s);

/// A shell environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool valid_env_name(std::string_view s);

/// A service name: 1-63 of [a-z0-9-], starting with a letter or digit.
bool valid_service_name(std::string_view s);

}  // namespace hoist
