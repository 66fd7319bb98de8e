#pragma once
/// A JUnit XML report of a run, in the shape Jenkins' junit step and GitLab's
/// `artifacts:reports:junit` read: <testsuites> holding one <testsuite>, one <testcase> per
/// phase (build, push) and per host and step, <failure message=...> on what failed.
///
/// Mapping (the summary object of spec section 4, extra fields used when present):
/// - phases.build_ms / phases.push_ms > 0: testcases "build" and "push" of class `hoist.<service>`;
/// - each host with `steps`: a testcase per step (name = the step's action) of class
///   `hoist.<service>.<host with dots as dashes>` (Jenkins splits classes at the last dot), failed
///   when the step's `ok` is false; a host without steps: one testcase named after the command;
///   a host fails when it has an `error` or a result other than succeeded, updated, unchanged or
///   rolled_back (a host rolled back cleanly is where it should be; the host that failed says why);
/// - a run that did not succeed but where no testcase failed (e.g. a push or validation error)
///   gets a failed testcase named after the command with the run's error, so a red run is never
///   a green report; a run with nothing else to report gets one passing testcase for the command.
#include <string>

#include <nlohmann/json.hpp>

namespace hoist::report {

/// The JUnit XML document (UTF-8, with its XML declaration) for `summary`.
std::string render_junit(const nlohmann::json& summary);

}  // namespace hoist::report
