#include "image/copy_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "build_fixture.hpp"

using namespace hoist::image;
using hoist::test::TempDir;
using hoist::test::write_file;

namespace {

/// "path mode uid:gid" per entry, for compact assertions.
std::vector<std::string> render(const std::vector<LayerEntry>& entries) {
    std::vector<std::string> out;
    for (auto& e : entries) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", e.mode);
        out.push_back(e.path + (e.type == EntryType::dir ? "/ " : " ") + mode + " " + std::to_string(e.uid) + ":" +
                      std::to_string(e.gid));
    }
    return out;
}

class CopyPlan : public ::testing::Test {
protected:
    void SetUp() override {
        write_file(dir.path() + "/a.txt", "a");
        write_file(dir.path() + "/b.txt", "b");
        write_file(dir.path() + "/d/x", "x", std::filesystem::perms(0755));
        write_file(dir.path() + "/d/sub/y", "y");
        std::filesystem::permissions(dir.path() + "/d", std::filesystem::perms(0750));
        std::filesystem::permissions(dir.path() + "/d/sub", std::filesystem::perms(0755));
    }
    std::vector<std::string> plan(std::vector<std::string> sources, std::string dest, std::string workdir = "/") {
        BuildContext ctx(dir.path(), {});
        CopyRequest req;
        for (auto& s : sources)
            for (auto& n : ctx.resolve(s)) req.sources.push_back(n);
        req.dest = dest;
        req.workdir = workdir;
        req.chown = chown;
        req.chmod = chmod;
        return render(plan_copy(ctx, req, fs));
    }
    TempDir dir;
    FsView fs;
    std::optional<std::pair<std::uint32_t, std::uint32_t>> chown;
    std::optional<std::uint32_t> chmod;
};

using V = std::vector<std::string>;

}  // namespace

TEST_F(CopyPlan, FileToPathAndToDirectory) {
    EXPECT_EQ(plan({"a.txt"}, "/opt/b"), (V{"opt/ 0755 0:0", "opt/b 0644 0:0"}));
    EXPECT_EQ(plan({"a.txt"}, "/opt/"), (V{"opt/ 0755 0:0", "opt/a.txt 0644 0:0"}));
    EXPECT_EQ(plan({"a.txt"}, "."), (V{"a.txt 0644 0:0"}));
}

TEST_F(CopyPlan, ExistingDirectoryMeansInto) {
    LayerEntry bin;
    bin.path = "bin";
    bin.type = EntryType::dir;
    bin.mode = 0700;
    bin.uid = 1;
    bin.gid = 2;
    fs.apply({bin});
    EXPECT_EQ(plan({"a.txt"}, "/bin"), (V{"bin/ 0700 1:2", "bin/a.txt 0644 0:0"}));  // parent keeps its metadata
}

TEST_F(CopyPlan, DirectoryCopiesItsContentsWithItsMode) {
    EXPECT_EQ(plan({"d"}, "/dst"), (V{"dst/ 0750 0:0", "dst/sub/ 0755 0:0", "dst/sub/y 0644 0:0", "dst/x 0755 0:0"}));
}

TEST_F(CopyPlan, RelativeDestinationUsesWorkdir) {
    EXPECT_EQ(plan({"a.txt"}, "rel/", "/app"), (V{"app/ 0755 0:0", "app/rel/ 0755 0:0", "app/rel/a.txt 0644 0:0"}));
    EXPECT_EQ(plan({"a.txt"}, "../up.txt", "/app/sub"), (V{"app/ 0755 0:0", "app/up.txt 0644 0:0"}));
}

TEST_F(CopyPlan, WildcardsAndSeveralSourcesNeedASlash) {
    EXPECT_EQ(plan({"*.txt"}, "/w/"), (V{"w/ 0755 0:0", "w/a.txt 0644 0:0", "w/b.txt 0644 0:0"}));
    EXPECT_THROW(plan({"*.txt"}, "/w"), std::runtime_error);
    EXPECT_THROW(plan({"a.txt", "b.txt"}, "/w"), std::runtime_error);
    EXPECT_THROW(plan({"*.nothing"}, "/w/"), std::runtime_error);
}

TEST_F(CopyPlan, ChownAppliesToCopiedAndCreatedDirectories) {
    chown = std::make_pair(7u, 8u);
    // a file source: every new parent gets the owner (Docker's MkdirAllAndChownNew)
    EXPECT_EQ(plan({"a.txt"}, "/n/m/a"), (V{"n/ 0755 7:8", "n/m/ 0755 7:8", "n/m/a 0644 7:8"}));
    // a directory source: the destination gets it, its parents stay root's
    EXPECT_EQ(plan({"d/sub"}, "/p/q"), (V{"p/ 0755 0:0", "p/q/ 0755 7:8", "p/q/y 0644 7:8"}));
}

TEST_F(CopyPlan, ChmodAppliesToCopiedEntriesOnly) {
    chmod = 0600;
    EXPECT_EQ(plan({"d/sub"}, "/p/q"), (V{"p/ 0755 0:0", "p/q/ 0600 0:0", "p/q/y 0600 0:0"}));
}

TEST(CopyPlanHelpers, ResolveInImageAndChmod) {
    EXPECT_EQ(resolve_in_image("/", "/a/b/"), "a/b");
    EXPECT_EQ(resolve_in_image("/app", "x"), "app/x");
    EXPECT_EQ(resolve_in_image("/app", "../../.."), "");
    EXPECT_EQ(parse_chmod("755"), 0755u);
    EXPECT_EQ(parse_chmod("0644"), 0644u);
    EXPECT_EQ(parse_chmod("u+x"), std::nullopt);
    EXPECT_EQ(parse_chmod("8"), std::nullopt);
}

TEST_F(CopyPlan, TopLevelSymlinkIsFollowedButNestedOnesAreKept) {
    std::filesystem::create_symlink("a.txt", dir.path() + "/lnk");
    std::filesystem::create_symlink("../a.txt", dir.path() + "/d/inner");
    EXPECT_EQ(plan({"lnk"}, "/x"), (V{"x 0644 0:0"}));  // the target's bytes under the source's name
    auto nested = plan({"d"}, "/d2");
    EXPECT_NE(std::find(nested.begin(), nested.end(), "d2/inner 0777 0:0"), nested.end());
    std::filesystem::create_symlink("../../etc", dir.path() + "/escape");
    EXPECT_THROW(plan({"escape"}, "/e"), std::runtime_error);
}
