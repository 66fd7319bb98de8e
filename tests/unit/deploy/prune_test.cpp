// hoist prune's choice on one host: never a running container, never a role's live or rollback
// container, the last N versions kept, everything older removed.
#include "deploy/prune.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace hoist::deploy;

namespace {
ObservedContainer c(const std::string& name, const std::string& version, const std::string& state, int minute,
                    const std::string& role = "web") {
    ObservedContainer o;
    o.name = name;
    o.version = version;
    o.state = state;
    o.role = role;
    o.created = "2026-12-04 09:" + std::string(minute < 10 ? "0" : "") + std::to_string(minute) + ":00 +0000 UTC";
    return o;
}
}  // namespace

TEST(Prune, KeepsTheLastVersionsTheLiveAndTheRollbackContainerOfEveryRole) {
    std::vector<ObservedContainer> list{
        c("app-v1", "v1", "exited", 1), c("app-v2", "v2", "exited", 2), c("app-v3", "v3", "exited", 3),
        c("app-v4", "v4", "running", 4),
        // the worker lags behind: its rollback container is v1's, older than the last 2 versions
        c("app-worker-v1", "v1", "exited", 5, "worker"), c("app-worker-v2", "v2", "running", 6, "worker"),
        c("app-worker-v0", "v0", "exited", 0, "worker")};
    auto choice = choose_prune(list, {"v0", "v1", "v2", "v3", "v4", "v9", "<none>", "x --force", "../a"}, 2);
    std::sort(choice.containers.begin(), choice.containers.end());
    // kept: web's live v4 and rollback v3, the worker's live v2 and rollback v1, the last 2 versions
    // by their newest container (v2, v1); removed: what is older
    EXPECT_EQ(choice.containers, (std::vector<std::string>{"app-worker-v0"}));
    EXPECT_EQ(choice.tags, (std::vector<std::string>{"v0", "v9"})) << "<none>, and what the host says that is no tag";
    EXPECT_EQ(choice.kept_versions, (std::vector<std::string>{"v2", "v1", "v4", "v3"}));
}

TEST(Prune, TheHistoryRanksVersionsBeforeContainerAges) {
    // app-v0 was made last, by hand: the history, which never deployed v0, decides what is recent
    std::vector<ObservedContainer> list{c("app-v1", "v1", "exited", 1), c("app-v2", "v2", "running", 2),
                                        c("app-v0", "v0", "created", 9)};
    auto choice = choose_prune(list, {"v0", "v1", "v2"}, 1, {"v2", "v1", "v2"});
    EXPECT_EQ(choice.containers, (std::vector<std::string>{"app-v0"}));
    EXPECT_EQ(choice.tags, (std::vector<std::string>{"v0"}));
    EXPECT_EQ(choice.kept_versions, (std::vector<std::string>{"v2", "v1"}));
}

TEST(Prune, NeverRemovesARunningContainerOrTheRollbackOne) {
    std::vector<ObservedContainer> list{c("app-v1", "v1", "exited", 1), c("app-v2", "v2", "exited", 2),
                                        c("app-v3", "v3", "running", 3), c("app-blue", "v0", "running", 0)};
    auto choice = choose_prune(list, {"v0", "v1", "v2", "v3"}, 1);
    EXPECT_EQ(choice.containers, (std::vector<std::string>{"app-v1"}));
    EXPECT_EQ(choice.tags, (std::vector<std::string>{"v1"}));
    EXPECT_EQ(choice.kept_versions, (std::vector<std::string>{"v3", "v2", "v0"}));
}
