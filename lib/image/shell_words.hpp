#pragma once
/// Variable substitution and word splitting in Dockerfile arguments, as the Dockerfile reference
/// defines them (`$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR:+word}`, quotes, the escape character).
///
/// This is not a shell: there is no command substitution, globbing or arithmetic. It follows the
/// rules of Docker's own lexer (moby/buildkit frontend/dockerfile/shell) so that an argument means
/// the same thing to hoist as to `docker build`:
///  - outside quotes the escape character makes the next character literal and is removed;
///  - inside '...' nothing is special; inside "..." only `$`, `"` and the escape character can be
///    escaped, and `$` still expands;
///  - `$` not followed by a name or `{` is a literal `$`;
///  - an unset variable expands to the empty string.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace hoist::image {

/// Variables visible to an instruction: ENV values override ARG values of the same name.
using Vars = std::map<std::string, std::string>;

/// A malformed word (unterminated quote or `${`, unsupported modifier). The builder adds the
/// Dockerfile line when it reports it.
class WordError : public hoist::Failure {
public:
    explicit WordError(const std::string& message) : hoist::Failure(message, ExitCode::build_push) {}
};

/// Expands one word: quotes are removed, variables replaced. Whitespace is kept as is.
std::string expand_word(std::string_view word, const Vars& vars, char escape = '\\');

/// Splits `text` into words at unquoted whitespace, then expands each (quotes removed).
std::vector<std::string> expand_words(std::string_view text, const Vars& vars, char escape = '\\');

/// Splits `text` at unquoted whitespace without expanding or removing quotes (the first pass of
/// ENV and LABEL, whose words are `key=value` pairs expanded one by one afterwards).
std::vector<std::string> split_words_raw(std::string_view text, char escape = '\\');

}  // namespace hoist::image
