#include "deploy/prune.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace hoist::deploy {

PruneChoice choose_prune(const std::vector<ObservedContainer>& containers, const std::vector<std::string>& tags,
                         int keep) {
    PruneChoice out;
    std::set<std::string> keep_names, keep_versions;
    // per role: the live container and the rollback one
    std::set<std::string> roles;
    for (const auto& c : containers) roles.insert(c.role);
    for (const auto& role : roles) {
        auto mine = of_role(containers, role);
        ObservedHost live = live_host(mine, nullptr);
        const ObservedContainer* rollback = nullptr;
        for (const auto& c : mine)
            if (c.name != live.container && (!rollback || c.created > rollback->created)) rollback = &c;
        for (const ObservedContainer* c : {live.find(live.container), rollback})
            if (c) {
                keep_names.insert(c->name);
                keep_versions.insert(c->version);
            }
    }
    for (const auto& c : containers)
        if (c.running()) keep_versions.insert(c.version);  // its image stays with it
    // the last `keep` versions, by their newest container on the host
    std::map<std::string, std::string> newest;  // version -> created
    for (const auto& c : containers)
        if (!c.version.empty() && c.created > newest[c.version]) newest[c.version] = c.created;
    std::vector<std::pair<std::string, std::string>> ranked(newest.begin(), newest.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    for (std::size_t i = 0; i < ranked.size(); ++i)
        if (static_cast<int>(i) < keep) keep_versions.insert(ranked[i].first);
    for (const auto& [v, _] : ranked)
        if (keep_versions.count(v)) out.kept_versions.push_back(v);
    for (const auto& c : containers)
        if (!c.running() && !keep_names.count(c.name) && !keep_versions.count(c.version)) out.containers.push_back(c.name);
    for (const auto& t : tags)
        if (!t.empty() && t != "<none>" && !keep_versions.count(t)) out.tags.push_back(t);
    return out;
}

}  // namespace hoist::deploy
