#pragma once
/// The Auto Scaling processes a rollout suspends (aws::rollout_processes: Launch, Terminate,
/// AZRebalance, ReplaceUnhealthy), so the group neither adds, removes nor replaces instances while
/// hosts leave and rejoin the pool; resumed when the rollout ends, also on failure and Ctrl-C.
///
/// A hoist killed with SIGKILL cannot resume them, so before suspending, hoist writes a record
/// (group, region, the processes it suspended, its pid and the pid's start time) to
/// `$XDG_STATE_HOME/hoist/asg-suspended/` (default `~/.local/state/hoist/...`), removed once they
/// are resumed. The next hoist command on that pipeline whose record's process is gone resumes them
/// and says so. Processes that were suspended before hoist came (by a person) are left suspended.
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/query.hpp"
#include "config/pipeline.hpp"
#include "report/output.hpp"

namespace hoist::deploy {

struct AsgOptions {
    aws::ChainOptions chain;
    aws::QueryOptions query;
    std::string dir;  ///< where records live; empty: suspension_dir()
};

/// What a suspending hoist leaves on this machine.
struct SuspensionRecord {
    std::string group, region, service;
    std::vector<std::string> processes;  ///< the ones hoist suspended (not those already suspended)
    long pid = 0;
    long long pid_start = 0;  ///< /proc/<pid>/stat starttime: a reused pid is not the same process
    long long since = 0;      ///< Unix seconds
};

/// $XDG_STATE_HOME/hoist/asg-suspended, else ~/.local/state/hoist/asg-suspended.
std::string suspension_dir();
/// The record file of a group in a region ("<region>--<group>.json", unsafe characters as %XX).
std::string record_path(const std::string& dir, const std::string& region, const std::string& group);
std::string record_json(const SuspensionRecord& r);
/// nullopt for text that is not a record (reported by the caller, never trusted for API calls).
std::optional<SuspensionRecord> parse_record(const std::string& text);
/// The start time of process `pid` (/proc/<pid>/stat field 22), 0 when there is none.
long long process_start(long pid);
/// The record's process is still this machine's running hoist.
bool record_owner_alive(const SuspensionRecord& r);

/// Suspends the rollout processes of the pipeline's group for its lifetime.
class AsgSuspension {
  public:
    /// Describes the group, records, then suspends what is not already suspended. Throws aws::Error.
    AsgSuspension(const config::Pipeline& p, report::Output& out, AsgOptions options = {});
    /// Resumes when resume() was not called; never throws (a failure is a warning naming the record).
    ~AsgSuspension();
    AsgSuspension(const AsgSuspension&) = delete;
    AsgSuspension& operator=(const AsgSuspension&) = delete;
    /// Resumes the processes it suspended and removes the record. Throws aws::Error (the record stays).
    void resume();

  private:
    report::Output& m_out;
    AsgOptions m_options;
    SuspensionRecord m_record;
    std::string m_path;
    bool m_done = false;
};

/// Acts on a record left for the pipeline's group by a hoist that is gone: resumes its processes
/// and removes it (`act`), or only warns (`hoist plan`, which changes nothing). Returns whether there
/// was one. AWS errors become warnings: the record stays for the next command.
bool resume_leftover(const config::Pipeline& p, report::Output& out, bool act, AsgOptions options = {});

}  // namespace hoist::deploy
