#include "image/dockerfile.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

using namespace hoist::image;

namespace {
std::string error_of(const std::string& text) {
    try {
        parse_dockerfile(text);
    } catch (const hoist::Error& e) {
        EXPECT_EQ(e.code(), hoist::ExitCode::build_push);
        return e.what();
    }
    return "";
}
}  // namespace

TEST(DockerfileParse, InstructionsLinesAndCase) {
    auto df = parse_dockerfile("# comment\nfrom scratch\n\nCOPY a /b\n  env A=1\n");
    ASSERT_EQ(df.instructions.size(), 3u);
    EXPECT_EQ(df.instructions[0].keyword, "FROM");
    EXPECT_EQ(df.instructions[0].line, 2);
    EXPECT_EQ(df.instructions[0].args, "scratch");
    EXPECT_EQ(df.instructions[1].line, 4);
    EXPECT_EQ(df.instructions[2].keyword, "ENV");
    EXPECT_EQ(df.instructions[2].line, 5);
}

TEST(DockerfileParse, ContinuationsSkipCommentsAndBlankLines) {
    auto df = parse_dockerfile("FROM scratch\nLABEL a=1 \\\n# inside\n\n  b=2 \\\n  c=3\nUSER x\n");
    ASSERT_EQ(df.instructions.size(), 3u);
    EXPECT_EQ(df.instructions[1].args, "a=1   b=2   c=3");
    EXPECT_EQ(df.instructions[1].line, 2);
    EXPECT_EQ(df.instructions[2].line, 7);
}

TEST(DockerfileParse, EscapeDirectiveChangesContinuation) {
    auto df = parse_dockerfile("# escape=`\nFROM scratch\nWORKDIR C:\\app `\n  \\sub\n");
    EXPECT_EQ(df.escape, '`');
    ASSERT_EQ(df.instructions.size(), 2u);
    EXPECT_EQ(df.instructions[1].args, "C:\\app   \\sub");
}

TEST(DockerfileParse, DirectiveAfterCommentIsAComment) {
    auto df = parse_dockerfile("# hello\n# escape=`\nFROM scratch\n");
    EXPECT_EQ(df.escape, '\\');
}

TEST(DockerfileParse, DuplicateDirectiveIsAnError) {
    EXPECT_EQ(error_of("# escape=`\n# escape=\\\nFROM scratch\n"),
              "Dockerfile:2: only one escape parser directive can be used");
}

TEST(DockerfileParse, FlagsAndJsonForm) {
    auto df = parse_dockerfile("COPY --chown=1:2 --link a b\nCMD [\"a\", \"b c\"]\nCMD [not json\nLABEL [\"x\"]\n");
    auto& copy = df.instructions[0];
    ASSERT_NE(copy.flag("chown"), nullptr);
    EXPECT_EQ(*copy.flag("chown"), "1:2");
    ASSERT_NE(copy.flag("link"), nullptr);
    EXPECT_EQ(copy.args, "a b");
    EXPECT_TRUE(df.instructions[1].json);
    EXPECT_EQ(df.instructions[1].json_args, (std::vector<std::string>{"a", "b c"}));
    EXPECT_FALSE(df.instructions[2].json);
    EXPECT_EQ(df.instructions[2].args, "[not json");
    EXPECT_FALSE(df.instructions[3].json);  // LABEL has no exec form
}

TEST(DockerfileParse, HeredocIsALocatedError) {
    EXPECT_EQ(error_of("FROM scratch\nRUN <<EOF\necho\nEOF\n"),
              "Dockerfile:2: heredocs (<<) are not supported by hoist's native builder; use `builder: docker`");
}

TEST(DockerfileParse, CrLfLines) {
    auto df = parse_dockerfile("FROM scratch\r\nUSER a\r\n");
    ASSERT_EQ(df.instructions.size(), 2u);
    EXPECT_EQ(df.instructions[1].args, "a");
}

// found by tests/fuzz/dockerfile_fuzz.cpp: a continuation whose next line starts with \v gave an
// instruction without a keyword
TEST(DockerfileParse, LineWithoutAKeywordIsALocatedError) {
    EXPECT_EQ(error_of("FROM scratch\n\\\n\v\tx\n"), "Dockerfile:2: unknown instruction: \v\tx");
}

// std::regex recursed once per character: a 100k-character directive crashed hoist (exit 139).
TEST(DockerfileParse, LongLinesParseInLinearTimeOrAreALocatedError) {
    std::string syntax(100000, 'x');
    auto df = parse_dockerfile("#   syntax = docker/dockerfile:" + syntax + "  \nFROM scratch\n");
    EXPECT_EQ(df.syntax, "docker/dockerfile:" + syntax);
    auto heredoc_free = parse_dockerfile("FROM scratch\nCOPY " + std::string(200000, '<') + " /x\n");
    EXPECT_EQ(heredoc_free.instructions.size(), 2u);
    std::string flags;
    for (int i = 0; i < 50000; ++i) flags += "--f ";
    EXPECT_EQ(parse_dockerfile("FROM scratch\nCOPY " + flags + "a /b\n").instructions[1].flags.size(), 50000u);
    EXPECT_EQ(error_of("FROM scratch\nLABEL a=" + std::string(2 << 20, 'v') + "\n"),
              "Dockerfile:2: instruction of 2097160 bytes; at most 1048576 are accepted");
}
