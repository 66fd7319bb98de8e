#include "deploy/prune.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "util/names.hpp"

namespace hoist::deploy {

PruneChoice choose_prune(const std::vector<ObservedContainer>& containers, const std::vector<std::string>& tags,
                         int keep, const std::vector<std::string>& deployed) {
    PruneChoice out;
    std::set<std::string> keep_names, keep_versions;
    // per role: the live container and the rollback one
    std::set<std::string> roles;
    for (const auto& c : containers) roles.insert(c.role);
    for (const auto& role : roles) {
        auto mine = of_role(containers, role);
        ObservedHost live = live_host(mine, nullptr);
        // the rollback one: the newest other container that ever ran (one only created, never
        // started, is no version this host served), else the newest other
        const ObservedContainer* rollback = nullptr;
        auto better = [&](const ObservedContainer& c) {
            if (!rollback) return true;
            bool ran = c.state != "created", rollback_ran = rollback->state != "created";
            return ran != rollback_ran ? ran : c.created > rollback->created;
        };
        for (const auto& c : mine)
            if (c.name != live.container && better(c)) rollback = &c;
        for (const ObservedContainer* c : {live.find(live.container), rollback})
            if (c) {
                keep_names.insert(c->name);
                keep_versions.insert(c->version);
            }
    }
    for (const auto& c : containers)
        if (c.running()) keep_versions.insert(c.version);  // its image stays with it
    // the last `keep` versions: by the history first, then by their newest container on the host
    std::vector<std::string> ranked;
    for (const auto& v : deployed)
        if (!v.empty() && std::find(ranked.begin(), ranked.end(), v) == ranked.end()) ranked.push_back(v);
    std::map<std::string, std::string> newest;  // version -> created
    for (const auto& c : containers)
        if (!c.version.empty() && c.created > newest[c.version]) newest[c.version] = c.created;
    std::vector<std::pair<std::string, std::string>> by_container(newest.begin(), newest.end());
    std::sort(by_container.begin(), by_container.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [v, _] : by_container)
        if (std::find(ranked.begin(), ranked.end(), v) == ranked.end()) ranked.push_back(v);
    for (std::size_t i = 0; i < ranked.size() && static_cast<int>(i) < keep; ++i) keep_versions.insert(ranked[i]);
    for (const auto& v : ranked)
        if (keep_versions.count(v)) out.kept_versions.push_back(v);
    for (const auto& c : containers)
        if (!c.running() && !keep_names.count(c.name) && !keep_versions.count(c.version)) out.containers.push_back(c.name);
    // the host's answer is untrusted: only what is a tag is ever named in a command
    for (const auto& t : tags)
        if (valid_tag(t) && !keep_versions.count(t)) out.tags.push_back(t);
    return out;
}

}  // namespace hoist::deploy
