// The build context resolves COPY/ADD sources inside its root: symlinks anywhere on a source's
// path are followed with the context as '/' (Docker's FollowSymlinkInScope), and what
// .dockerignore excludes is absent, links to it dangling. A pull request controls the context,
// so none of these may read a file of the build machine.
#include "image/build_context.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "image/copy_plan.hpp"
#include "build_fixture.hpp"

using namespace hoist::image;
using hoist::test::TempDir;
using hoist::test::write_file;
namespace fs = std::filesystem;

namespace {

class Context : public ::testing::Test {
protected:
    void SetUp() override {
        ctx_dir = dir.path() + "/ctx";
        write_file(ctx_dir + "/a.txt", "a");
        write_file(outside.path() + "/secret", "the build machine's");
        write_file(outside.path() + "/etc/hostname", "build-machine");
    }
    BuildContext ctx(const std::string& ignore = "") const {
        return BuildContext(ctx_dir, IgnoreMatcher::parse(ignore));
    }
    /// The error resolve() throws for `source`, or "" when it resolves.
    std::string error(const std::string& source, const std::string& ignore = "") const {
        try {
            ctx(ignore).resolve(source);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "";
    }
    /// Where the bytes of every planned file of `COPY source /dst` come from.
    std::vector<std::string> sources(const std::string& source, const std::string& ignore = "") const {
        auto c = ctx(ignore);
        CopyRequest req;
        req.sources = c.resolve(source);
        req.dest = "/dst/";
        req.workdir = "/";
        std::vector<std::string> out;
        for (auto& e : plan_copy(c, req, FsView{}))
            if (e.type == EntryType::file) out.push_back(e.path + " <- " + e.source.substr(ctx_dir.size() + 1));
        return out;
    }
    TempDir dir, outside;
    std::string ctx_dir;
};

using V = std::vector<std::string>;

}  // namespace

TEST_F(Context, FolderSymlinkToOutsideIsNotFollowedOutOfTheRoot) {
    fs::create_symlink(outside.path(), ctx_dir + "/lnk");
    fs::create_symlink("/", ctx_dir + "/root");
    fs::create_symlink("../..", ctx_dir + "/up");
    std::string e = error("lnk/secret");
    EXPECT_NE(e.find("lnk/secret: not found in the build context"), std::string::npos) << e;
    EXPECT_NE(e.find("symbolic link lnk points to " + outside.path() + ", outside the build context"), std::string::npos) << e;
    EXPECT_NE(error("root/etc/hostname"), "");
    EXPECT_NE(error("root" + outside.path() + "/secret"), "");
    EXPECT_NE(error("up/secret"), "");
    EXPECT_NE(error("lnk"), "");  // the link itself, at the end of the path
}

TEST_F(Context, LinksAreFollowedInsideTheRootAsDockerDoes) {
    write_file(ctx_dir + "/etc/hostname", "context");
    fs::create_symlink("/etc", ctx_dir + "/abs");         // absolute: the context's etc
    fs::create_symlink("../../../etc", ctx_dir + "/up");  // `..` stops at the root
    fs::create_directories(ctx_dir + "/d");
    fs::create_symlink("../../a.txt", ctx_dir + "/d/last");
    EXPECT_EQ(sources("abs/hostname"), V{"dst/hostname <- etc/hostname"});
    EXPECT_EQ(sources("up/hostname"), V{"dst/hostname <- etc/hostname"});
    EXPECT_EQ(sources("abs"), V{"dst/hostname <- etc/hostname"});  // a directory walk through a link
    EXPECT_EQ(sources("d/last"), V{"dst/last <- a.txt"});
    EXPECT_EQ(sources("a*"), (V{"dst/a.txt <- a.txt", "dst/hostname <- etc/hostname"}));
}

TEST_F(Context, LinkToTheRootCopiesTheContext) {
    fs::create_symlink("/", ctx_dir + "/root");
    auto got = sources("root");
    EXPECT_EQ(got, V{"dst/a.txt <- a.txt"});
}

TEST_F(Context, SymlinkLoopsAreAnError) {
    fs::create_symlink("b", ctx_dir + "/a");
    fs::create_symlink("a", ctx_dir + "/b");
    EXPECT_NE(error("a").find("too many levels of symbolic links"), std::string::npos);
}

TEST_F(Context, IgnoredFilesAreAbsentThroughSymlinks) {
    write_file(ctx_dir + "/.env", "SECRET=1");
    write_file(ctx_dir + "/private/key", "k");
    fs::create_symlink(".env", ctx_dir + "/e");
    fs::create_symlink("private", ctx_dir + "/p");
    fs::create_symlink("a.txt", ctx_dir + "/ignored-link");
    std::string ignore = ".env\nprivate\nignored-link\n";
    EXPECT_NE(error("e", ignore).find("e: not found in the build context or excluded by .dockerignore"), std::string::npos);
    EXPECT_NE(error("p/key", ignore), "");
    EXPECT_NE(error("p", ignore), "");
    EXPECT_NE(error("ignored-link", ignore), "");  // an excluded link is not followed either
    EXPECT_EQ(error("e"), "");                     // without the ignore file, all resolve
    EXPECT_EQ(sources("p/key"), V{"dst/key <- private/key"});
}
