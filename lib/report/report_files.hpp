#pragma once
/// Report files asked for with `--report KIND=FILE` (repeatable), written when a command ends:
///   json      the summary object of spec section 4, the same as the last line of `-o json`
///   junit     JUnit XML (report/junit.hpp) for Jenkins' junit step and GitLab
///   markdown  the Markdown summary that goes to $GITHUB_STEP_SUMMARY (report/github.hpp)
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hoist::report {

struct ReportSpec {
    std::string kind;  ///< json | junit | markdown
    std::string path;
};

/// The kinds --report accepts, in the order help text lists them.
const std::vector<std::string>& report_kinds();

/// Parses "KIND=FILE". Returns an empty string when it is valid, else the reason it is not (an
/// unknown kind, no file, or a directory for the file that does not exist), so a typo is a usage
/// error before anything runs rather than a missing report after a deploy.
std::string check_report_spec(const std::string& text);
ReportSpec parse_report_spec(const std::string& text);

/// The content of a report of `kind` for `summary` (an event_object("summary", ...)).
std::string render_report(const std::string& kind, const nlohmann::json& summary);

/// Writes `content` to `path` through a temporary file in the same directory and a rename, so a
/// reader (a CI step, a concurrent run) never sees half a report. Throws std::runtime_error.
void write_file_atomically(const std::string& path, const std::string& content);

/// Appends `content` to `path` (the GitHub step summary is shared by every step of a job).
void append_to_file(const std::string& path, const std::string& content);

}  // namespace hoist::report
