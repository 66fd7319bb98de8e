#include "lb/balancer.hpp"

#include <algorithm>

namespace hoist::lb {

std::string describe(const Pool& pool) {
    std::string out;
    for (std::size_t i = 0; i < pool.size(); ++i) {
        if (i) out += ", ";
        out += pool[i].host + ":" + std::to_string(pool[i].port);
        if (!pool[i].enabled) out += " (down)";
    }
    return out;
}

namespace {
bool serves(const Pool& pool, const Member& m) {
    return std::any_of(pool.begin(), pool.end(),
                       [&](const Member& o) { return o.enabled && o.host == m.host && o.port == m.port; });
}
}  // namespace

std::vector<Member> added_members(const Pool& before, const Pool& after) {
    std::vector<Member> out;
    for (const auto& m : after)
        if (m.enabled && !serves(before, m)) out.push_back(m);
    return out;
}

std::vector<Member> removed_members(const Pool& before, const Pool& after) {
    std::vector<Member> out;
    for (const auto& m : before)
        if (m.enabled && !serves(after, m)) out.push_back(m);
    return out;
}

}  // namespace hoist::lb
