#pragma once
/// GitHub Actions workflow commands and the job summary.
///
/// The runner reads commands from both stdout and stderr of a step: `::group::NAME` folds the lines
/// up to `::endgroup::`, `::error file=F,line=L,col=C::MESSAGE` becomes an annotation on that file
/// position, `::add-mask::VALUE` replaces VALUE by *** in everything the log shows from then on.
/// These are pure functions returning one line each (with its newline); lib/report/output decides
/// when to print them. The escaping is the runner's own (ActionCommand.cs): data escapes `%`, CR
/// and LF; property values also `:` and `,`.
#include <string>

#include <nlohmann/json.hpp>

namespace hoist::report::github {

/// True when running as a GitHub Actions step (GITHUB_ACTIONS=true).
bool enabled();

/// Escapes a command's message part.
std::string escape_data(const std::string& text);
/// Escapes a property value (file=..., title=...).
std::string escape_property(const std::string& text);

/// `text` with every line the runner would take for a workflow command (`::cmd::` or `##[cmd]`
/// after nothing but spaces and punctuation; the runner strips leading whitespace) wrapped in
/// `::stop-commands::TOKEN` ... `::TOKEN::`, so it is shown as written and not obeyed. Container
/// logs, hook output and remote errors are printed through this. `token` is random per call
/// unless given (tests).
std::string neutralize_commands(const std::string& text, const std::string& token = "");

/// `::group::NAME` and `::endgroup::`.
std::string group(const std::string& name);
std::string endgroup();

enum class Level { error, warning, notice };

/// `::error file=F,line=L,col=C::MESSAGE` (file omitted when empty, line/col when 0).
std::string annotation(Level level, const std::string& message, const std::string& file = "", int line = 0,
                       int column = 0);

/// `::add-mask::` lines for a secret value: one for each non-empty line of it, because the runner
/// matches masks line by line in the log. Empty for an empty value.
std::string add_mask(const std::string& value);

/// `path` as GitHub names files in annotations: relative to `workspace` (GITHUB_WORKSPACE) when
/// it is inside it, so the annotation lands on the file in the diff; unchanged otherwise.
std::string workspace_relative(const std::string& path, const std::string& workspace);

/// The Markdown job summary of a run (appended to $GITHUB_STEP_SUMMARY): a heading with the
/// result, tag and timings, then per host: old -> new version, result, time, error; totals.
/// `summary` is the summary object of spec section 4 (extra fields are used when present).
std::string render_step_summary(const nlohmann::json& summary);

}  // namespace hoist::report::github
