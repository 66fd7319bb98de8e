// hoist converge's release: the newest entry, over every host's history, that left a host running a tag.
#include <gtest/gtest.h>

#include "deploy/history.hpp"
#include "util/error.hpp"

namespace hoist::deploy {
namespace {

HistoryEntry entry(const std::string& time, const std::string& tag, const std::string& result,
                   const std::string& event = "deploy") {
    HistoryEntry e;
    e.time = time;
    e.tag = tag;
    e.result = result;
    e.event = event;
    return e;
}

TEST(ConvergeRelease, NewestReleaseOverEveryHost) {
    std::vector<std::pair<std::string, HistoryEntry>> all = {
        {"h1", entry("2026-12-04T10:00:00.000Z", "v1", "updated")},
        {"h2", entry("2026-12-04T11:00:00.000Z", "v2", "updated")},
        {"h1", entry("2026-12-04T11:00:00.500Z", "v2", "unchanged")},
        {"h2", entry("2026-12-04T12:00:00.000Z", "v3", "rolled_back")},  // a failed v3: back on v2
        {"h1", entry("2026-12-04T12:00:01.000Z", "v3", "failed", "failure")},
    };
    EXPECT_EQ(current_release(all), "v2");
    all.push_back({"h3", entry("2026-12-04T13:00:00.000Z", "v1", "updated", "rollback")});
    EXPECT_EQ(current_release(all), "v1");  // a rollback is the release from then on
}

TEST(ConvergeRelease, NoneRecorded) {
    EXPECT_EQ(current_release({}), "");
    EXPECT_EQ(current_release({{"h1", entry("2026-12-04T10:00:00.000Z", "v1", "failed", "failure")}}), "");
}

TEST(ConvergeRelease, AHostsTagIsCheckedLikeTag) {
    EXPECT_THROW(current_release({{"h1", entry("2026-12-04T10:00:00.000Z", "../../etc", "updated")}}), Error);
}

}  // namespace
}  // namespace hoist::deploy
