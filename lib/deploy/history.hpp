#pragma once
/// The deploy history kept on each host: `~/.hoist/<service>/history.jsonl`, one JSON object a
/// line per deploy, rollback or failure that touched the host. `hoist history` merges the hosts'
/// files; `hoist rollback` reads the previous version from them.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ssh/connection.hpp"

namespace hoist::deploy {

struct HistoryEntry {
    std::string time;      ///< RFC 3339
    std::string event;     ///< deploy | rollback | failure
    std::string deploy_id; ///< the same on every host of one run
    std::string tag;       ///< what the host runs after this event
    std::string previous_tag;
    std::string result;    ///< updated | rolled_back | failed | unchanged
    std::string strategy;
    std::string color;
    std::string container;
    std::string by;        ///< user@machine
    std::string error;
    std::string role;      ///< a role besides web (spec section 6); empty: web
    bool is_web() const { return role.empty() || role == "web"; }
    nlohmann::json to_json() const;
    static HistoryEntry from_json(const nlohmann::json& j);
};

/// Appends one entry (a line) to the host's history.
void append_history(ssh::Connection& connection, const std::string& service, const HistoryEntry& entry);
/// The host's entries, oldest first. Lines that do not parse are skipped.
std::vector<HistoryEntry> read_history(ssh::Connection& connection, const std::string& service);
/// Parses history text (pure; for tests).
std::vector<HistoryEntry> parse_history(const std::string& text);
/// The current release for `hoist converge`: the tag of the newest entry (by time, of every host's
/// entries) that left a host running a release (result updated or unchanged); "" when there is none.
/// Checked like --tag (a usage error naming the entry's host) since the files are the hosts' to write.
std::string current_release(const std::vector<std::pair<std::string, HistoryEntry>>& host_entries);
/// The tag that ran before `current` by the newest web-role entry that updated to it, or "". The file is
/// the host's to write, so the tag is checked like --to (a usage error naming `host`).
std::string previous_tag(const std::vector<HistoryEntry>& entries, const std::string& current, const std::string& host);

}  // namespace hoist::deploy
