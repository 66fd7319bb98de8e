#include "image/shell_words.hpp"

#include <gtest/gtest.h>

using namespace hoist::image;

namespace {
const Vars vars = {{"A", "alpha"}, {"EMPTY", ""}, {"SP", "x y"}, {"P", "/usr/bin"}};
}

TEST(ShellWords, PlainAndBracedVariables) {
    EXPECT_EQ(expand_word("$A", vars), "alpha");
    EXPECT_EQ(expand_word("${A}_b", vars), "alpha_b");
    EXPECT_EQ(expand_word("$A_b", vars), "");  // the name is A_b, unset
    EXPECT_EQ(expand_word("pre-$NOPE-post", vars), "pre--post");
}

TEST(ShellWords, DefaultAndAlternative) {
    EXPECT_EQ(expand_word("${NOPE:-def}", vars), "def");
    EXPECT_EQ(expand_word("${EMPTY:-def}", vars), "def");
    EXPECT_EQ(expand_word("${A:-def}", vars), "alpha");
    EXPECT_EQ(expand_word("${A:+alt}", vars), "alt");
    EXPECT_EQ(expand_word("${EMPTY:+alt}", vars), "");
    EXPECT_EQ(expand_word("${NOPE:+alt}", vars), "");
    EXPECT_EQ(expand_word("${NOPE:-$A/x}", vars), "alpha/x");  // the word is itself expanded
    EXPECT_EQ(expand_word("${NOPE:-a b}", vars), "a b");
}

TEST(ShellWords, Quotes) {
    EXPECT_EQ(expand_word("'$A'", vars), "$A");
    EXPECT_EQ(expand_word("\"$A\"", vars), "alpha");
    EXPECT_EQ(expand_word("\"a \\\"q\\\" \\$A \\n\"", vars), "a \"q\" $A \\n");
    EXPECT_EQ(expand_word("\\$A", vars), "$A");
    EXPECT_EQ(expand_word("a\\ b", vars), "a b");
    EXPECT_EQ(expand_word("$", vars), "$");
    EXPECT_EQ(expand_word("a$ b", vars), "a$ b");
}

TEST(ShellWords, BacktickEscape) {
    EXPECT_EQ(expand_word("`$A", vars, '`'), "$A");
    EXPECT_EQ(expand_word("C:\\dir", vars, '`'), "C:\\dir");
}

TEST(ShellWords, Errors) {
    EXPECT_THROW(expand_word("${A", vars), WordError);
    EXPECT_THROW(expand_word("${A:=x}", vars), WordError);
    EXPECT_THROW(expand_word("\"open", vars), WordError);
    EXPECT_THROW(expand_word("'open", vars), WordError);
    EXPECT_THROW(expand_word("${}", vars), WordError);
    EXPECT_THROW(expand_word("${NOPE:?must be set}", vars), WordError);
}

TEST(ShellWords, WordSplitting) {
    EXPECT_EQ(expand_words("a  b\t'c d' \"e $A\"", vars),
              (std::vector<std::string>{"a", "b", "c d", "e alpha"}));
    EXPECT_EQ(expand_words("$SP z", vars), (std::vector<std::string>{"x", "y", "z"}));
    EXPECT_EQ(expand_words("\"$SP\" z", vars), (std::vector<std::string>{"x y", "z"}));
    EXPECT_EQ(expand_words("'' x", vars), (std::vector<std::string>{"", "x"}));
}

TEST(ShellWords, RawSplitKeepsQuotes) {
    EXPECT_EQ(split_words_raw("A=\"x y\" B='z' C=a\\ b"),
              (std::vector<std::string>{"A=\"x y\"", "B='z'", "C=a\\ b"}));
}
