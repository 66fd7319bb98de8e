#include "deploy/history.hpp"

#include "deploy/tag.hpp"
#include "remote/docker.hpp"
#include "remote/files.hpp"
#include "ssh/error.hpp"
#include "util/strings.hpp"
#include "util/json_fields.hpp"

namespace hoist::deploy {

nlohmann::json HistoryEntry::to_json() const {
    nlohmann::json j{{"time", time}, {"event", event}, {"deploy_id", deploy_id}, {"tag", tag},
                     {"previous_tag", previous_tag}, {"result", result}, {"strategy", strategy}};
    if (!color.empty()) j["color"] = color;
    if (!container.empty()) j["container"] = container;
    if (!by.empty()) j["by"] = by;
    if (!error.empty()) j["error"] = error;
    if (!is_web()) j["role"] = role;
    return j;
}

HistoryEntry HistoryEntry::from_json(const nlohmann::json& j) {
    HistoryEntry e;
    e.time = text_at(j, "time");
    e.event = text_at(j, "event");
    e.deploy_id = text_at(j, "deploy_id");
    e.tag = text_at(j, "tag");
    e.previous_tag = text_at(j, "previous_tag");
    e.result = text_at(j, "result");
    e.strategy = text_at(j, "strategy");
    e.color = text_at(j, "color");
    e.container = text_at(j, "container");
    e.by = text_at(j, "by");
    e.error = text_at(j, "error");
    auto role = j.value("role", nlohmann::json());
    if (role.is_string()) e.role = role.get<std::string>();
    return e;
}

void append_history(ssh::Connection& c, const std::string& service, const HistoryEntry& entry) {
    ssh::ExecOptions o;
    o.timeout = std::chrono::seconds(30);
    o.input = entry.to_json().dump() + "\n";
    auto r = c.exec(remote::append_stdin(remote::state_dir(service) + "/history.jsonl"), o);
    if (!r.ok())
        throw ssh::Error(ssh::ErrorKind::channel, c.label() + ": cannot append to " + remote::state_dir(service) +
                                                      "/history.jsonl: " + trim(r.err));
}

std::vector<HistoryEntry> parse_history(const std::string& text) {
    std::vector<HistoryEntry> out;
    for (const auto& line : split(text, '\n')) {
        auto j = nlohmann::json::parse(trim(line), nullptr, false);
        if (j.is_discarded() || !j.is_object()) continue;
        out.push_back(HistoryEntry::from_json(j));
    }
    return out;
}

std::vector<HistoryEntry> read_history(ssh::Connection& c, const std::string& service) {
    ssh::ExecOptions o;
    o.timeout = std::chrono::seconds(30);
    auto r = c.exec(remote::read_if_exists(remote::state_dir(service) + "/history.jsonl"), o);
    if (!r.ok())
        throw ssh::Error(ssh::ErrorKind::channel, c.label() + ": cannot read " + remote::state_dir(service) +
                                                      "/history.jsonl: " + trim(r.err));
    return parse_history(r.out);
}

std::string previous_tag(const std::vector<HistoryEntry>& entries, const std::string& current, const std::string& host) {
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        if (it->is_web() && it->result == "updated" && it->tag == current && !it->previous_tag.empty() && it->previous_tag != current) {
            check_tag(it->previous_tag, "the history on " + host + " records a previous tag");
            return it->previous_tag;
        }
    return "";
}

std::string current_release(const std::vector<std::pair<std::string, HistoryEntry>>& host_entries) {
    const std::pair<std::string, HistoryEntry>* newest = nullptr;
    for (const auto& he : host_entries) {
        const HistoryEntry& e = he.second;
        if ((e.result != "updated" && e.result != "unchanged") || e.tag.empty() || !e.is_web()) continue;
        if (!newest || e.time > newest->second.time) newest = &he;  // RFC 3339 UTC: orders as text
    }
    if (!newest) return "";
    check_tag(newest->second.tag, "the history on " + newest->first + " records a release");
    return newest->second.tag;
}

}  // namespace hoist::deploy
