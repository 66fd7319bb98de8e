#include "image/dockerignore.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

using namespace hoist::image;

TEST(DockerIgnore, SimpleAndDirectoryPatterns) {
    auto m = IgnoreMatcher::parse("# c\nnode_modules\n*.log\n/tmp/\n");
    EXPECT_TRUE(m.excluded("node_modules"));
    EXPECT_TRUE(m.excluded("node_modules/x/y.js"));
    EXPECT_TRUE(m.excluded("a.log"));
    EXPECT_FALSE(m.excluded("dir/a.log"));  // * does not cross '/'
    EXPECT_TRUE(m.excluded("tmp/x"));
    EXPECT_FALSE(m.excluded("src/main.c"));
}

TEST(DockerIgnore, DoubleStar) {
    auto m = IgnoreMatcher::parse("**/*.o\ndocs/**\n");
    EXPECT_TRUE(m.excluded("a.o"));
    EXPECT_TRUE(m.excluded("x/y/z.o"));
    EXPECT_TRUE(m.excluded("docs/a/b.md"));
    EXPECT_FALSE(m.excluded("x/y/z.c"));
}

TEST(DockerIgnore, NegationLastMatchWins) {
    auto m = IgnoreMatcher::parse("*.md\n!README.md\nREADME*.md\n!README-keep.md\n");
    EXPECT_TRUE(m.excluded("a.md"));
    EXPECT_TRUE(m.excluded("README.md"));  // re-excluded by README*.md
    EXPECT_FALSE(m.excluded("README-keep.md"));
}

TEST(DockerIgnore, NegationInsideExcludedDirectory) {
    auto m = IgnoreMatcher::parse("logs\n!logs/keep.txt\n");
    EXPECT_TRUE(m.excluded("logs/a.txt"));
    EXPECT_FALSE(m.excluded("logs/keep.txt"));
    EXPECT_FALSE(m.can_skip_dir("logs"));
    auto n = IgnoreMatcher::parse("logs\n!src/keep\n");
    EXPECT_TRUE(n.can_skip_dir("logs"));
}

TEST(DockerIgnore, CleaningAndClasses) {
    auto m = IgnoreMatcher::parse("./a//b/\nfile?.[ch]\n[!x]y\n");
    EXPECT_TRUE(m.excluded("a/b"));
    EXPECT_TRUE(m.excluded("a/b/c"));
    EXPECT_TRUE(m.excluded("file1.c"));
    EXPECT_FALSE(m.excluded("file12.c"));
    EXPECT_TRUE(m.excluded("ay"));
    EXPECT_FALSE(m.excluded("xy"));
}

TEST(DockerIgnore, BadPatternIsLocated) {
    try {
        IgnoreMatcher::parse("ok\n[abc\n", "app.Dockerfile.dockerignore");
        FAIL();
    } catch (const hoist::Error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("app.Dockerfile.dockerignore:2: bad pattern '[abc'", 0), 0u) << e.what();
    }
}

TEST(DockerIgnore, CleanRelative) {
    EXPECT_EQ(clean_relative("./a/../b//c/"), "b/c");
    EXPECT_EQ(clean_relative("/"), ".");
    EXPECT_EQ(clean_relative("/../x"), "x");
}

TEST(DockerIgnore, LongRunsOfStarsMatchInLinearTime) {
    // Found by the fuzzer: std::regex backtracked exponentially on "(.*){20}[^/]*!dirir" (the
    // test would run into ctest's timeout with that matcher instead of failing an assertion).
    auto m = IgnoreMatcher::parse(std::string(41, '*') + "!dirir\n");
    std::string path(2000, 'd');
    EXPECT_FALSE(m.excluded(path));
    EXPECT_TRUE(m.excluded(path + "/x!dirir"));
    EXPECT_TRUE(m.excluded("!dirir/below"));
}

TEST(DockerIgnore, WildcardsAndClassesAsPatternmatcher) {
    auto m = IgnoreMatcher::parse("src/**/*.o\n[a-c]?.txt\n[!0-9]*.log\nlit\\*\n**/cache\n");
    EXPECT_TRUE(m.excluded("src/x.o"));
    EXPECT_TRUE(m.excluded("src/a/b/x.o"));
    EXPECT_FALSE(m.excluded("src/a/x.c"));
    EXPECT_FALSE(m.excluded("srcx.o"));
    EXPECT_TRUE(m.excluded("b1.txt"));
    EXPECT_FALSE(m.excluded("d1.txt"));
    EXPECT_FALSE(m.excluded("b/.txt")) << "? never matches a slash";
    EXPECT_TRUE(m.excluded("app.log"));
    EXPECT_FALSE(m.excluded("1app.log"));
    EXPECT_TRUE(m.excluded("lit*"));
    EXPECT_FALSE(m.excluded("litx"));
    EXPECT_TRUE(m.excluded("cache"));
    EXPECT_TRUE(m.excluded("a/b/cache/file"));
    EXPECT_THROW(IgnoreMatcher::parse("[z-a]\n"), hoist::Error);
    EXPECT_THROW(IgnoreMatcher::parse("x\\\n"), hoist::Error);
}
