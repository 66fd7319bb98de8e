// ssh_config resolution. Expected values were taken from `ssh -G` (OpenSSH 9.2) on the same text;
// tests/integration/ssh/ssh_config_oracle_test.cpp re-checks a larger set against the live ssh -G.
#include <gtest/gtest.h>

#include "ssh/pattern.hpp"
#include "ssh/ssh_config.hpp"

using namespace hoist::ssh;

namespace {
const char* config = R"(# top
Host Web* !web3
    HostName %h.internal
    IdentityFile ~/.ssh/k_%h
    User alice
Host web?
    Port 2200
    User bob
    ProxyJump jump@bastion:2222,ssh://carol@b2
Host *
    IdentityFile /etc/k2
    Port 22
)";
}

TEST(SshConfig, FirstMatchWinsAndIdentityFilesAccumulate) {
    auto cfg = SshConfig::parse(config);
    auto r = cfg.resolve("Web1");
    EXPECT_EQ(r.hostname, "web1.internal");  // %h expanded, then lower-cased, as ssh -G prints it
    EXPECT_EQ(r.user.value_or(""), "alice");
    EXPECT_EQ(r.port.value_or(0), 22);
    EXPECT_EQ(r.identity_files, (std::vector<std::string>{"~/.ssh/k_%h", "/etc/k2"}));
    EXPECT_TRUE(r.proxy_jump.empty());
}

TEST(SshConfig, HostPatternsAreCaseSensitive) {
    auto r = SshConfig::parse(config).resolve("WEB1");
    EXPECT_EQ(r.hostname, "web1");
    EXPECT_FALSE(r.user.has_value());
    EXPECT_EQ(r.port.value_or(0), 22);
}

TEST(SshConfig, NegationExcludesAHostFromABlock) {
    auto r = SshConfig::parse(config).resolve("web3");
    EXPECT_EQ(r.hostname, "web3");
    EXPECT_EQ(r.user.value_or(""), "bob");
    EXPECT_EQ(r.port.value_or(0), 2200);
    ASSERT_EQ(r.proxy_jump.size(), 2u);
    EXPECT_EQ(to_string(r.proxy_jump[0]), "jump@bastion:2222");
    EXPECT_EQ(to_string(r.proxy_jump[1]), "carol@b2");
}

TEST(SshConfig, KeywordsAreCaseInsensitiveAndEqualsSignWorks) {
    auto cfg = SshConfig::parse("HOST a\n  hostname=10.0.0.1\n  PORT = 2022\n  user \"deploy\"\nHost *\n  User x\n");
    auto r = cfg.resolve("a");
    EXPECT_EQ(r.hostname, "10.0.0.1");
    EXPECT_EQ(r.port.value_or(0), 2022);
    EXPECT_EQ(r.user.value_or(""), "deploy");
}

TEST(SshConfig, LinesBeforeAnyHostApplyToAll) {
    auto r = SshConfig::parse("User early\nHost a\n  User late\n").resolve("a");
    EXPECT_EQ(r.user.value_or(""), "early");
}

TEST(SshConfig, ProxyJumpNoneDisablesLaterOnes) {
    auto cfg = SshConfig::parse("Host a\n  ProxyJump none\nHost *\n  ProxyJump b\n");
    EXPECT_TRUE(cfg.resolve("a").proxy_jump.empty());
    EXPECT_EQ(cfg.resolve("c").proxy_jump.size(), 1u);
}

TEST(SshConfig, UnsupportedMatchAndIncludeAreReported) {
    auto cfg = SshConfig::parse("Include other\nMatch host x\n  User m\nMatch all\n  Port 7\n", "cfg");
    ASSERT_EQ(cfg.problems().size(), 2u);
    EXPECT_EQ(cfg.problems()[0], "cfg:1: 'Include' is not supported by hoist; ignored");
    auto r = cfg.resolve("x");
    EXPECT_FALSE(r.user.has_value());
    EXPECT_EQ(r.port.value_or(0), 7);
}

TEST(SshConfig, HostNamePercentPercent) {
    auto r = SshConfig::parse("Host a\n  HostName %h-%%.x\n").resolve("a");
    EXPECT_EQ(r.hostname, "a-%.x");
}

TEST(SshConfig, IdentityPathExpansion) {
    setenv("HOME", "/home/t", 1);
    EXPECT_EQ(expand_identity_path("~/.ssh/id_%h_%r", "h1", "deploy"), "/home/t/.ssh/id_h1_deploy");
    EXPECT_EQ(expand_identity_path("%d/k%%", "h", "u"), "/home/t/k%");
    EXPECT_EQ(expand_tilde("/abs"), "/abs");
}

TEST(JumpSpec, Parse) {
    EXPECT_EQ(*parse_jump("ec2-user@bastion.example.com:2222"), (JumpSpec{"ec2-user", "bastion.example.com", 2222}));
    EXPECT_EQ(*parse_jump("ssh://b"), (JumpSpec{"", "b", 0}));
    EXPECT_EQ(*parse_jump("u@[::1]:22"), (JumpSpec{"u", "::1", 22}));
    EXPECT_FALSE(parse_jump("u@b:port").has_value());
    EXPECT_FALSE(parse_jump("u@").has_value());
    EXPECT_FALSE(parse_jump("b:70000").has_value());
}

TEST(Pattern, WildcardsNegationAndCase) {
    EXPECT_TRUE(match_pattern("10.0.*.1?", "10.0.5.12"));
    EXPECT_FALSE(match_pattern("10.0.*.1?", "10.0.5.1"));
    EXPECT_TRUE(match_pattern("*", ""));
    EXPECT_TRUE(match_pattern("a*b*c", "axxbyybc"));
    EXPECT_TRUE(match_pattern("WEB", "web"));
    EXPECT_FALSE(match_pattern("WEB", "web", false));
    EXPECT_TRUE(match_pattern_list({"web*", "!web3"}, "web1"));
    EXPECT_FALSE(match_pattern_list({"web*", "!web3"}, "web3"));
    EXPECT_FALSE(match_pattern_list({"!web3"}, "web1"));  // only negations never match
    EXPECT_EQ(split_patterns("a, b,,c", ','), (std::vector<std::string>{"a", " b", "c"}));
}

// found by tests/fuzz/ssh_config_fuzz.cpp: `Port 0` resolved to port 0 (ssh -G: "Bad port '0'")
TEST(SshConfig, BadPortsAreProblemsAndNeverResolve) {
    auto cfg = SshConfig::parse("Host a\n  Port 0\nHost b\n  Port 99999\nHost c\n  Port 22x\nHost *\n  Port 2222\n");
    ASSERT_EQ(cfg.problems().size(), 3u);
    EXPECT_EQ(cfg.problems()[0], "ssh_config:2: bad port '0' (want 1-65535)");
    EXPECT_EQ(cfg.resolve("a").port, 2222);
    EXPECT_EQ(cfg.resolve("b").port, 2222);
    EXPECT_EQ(cfg.resolve("c").port, 2222);
}

// ProxyCommand: kept as written (the shell gets it whole), and ProxyJump/ProxyCommand precedence as
// `ssh -G` (OpenSSH 9.2) resolves these configs; tests/integration/ssh/ssh_config_oracle_test.cpp
// compares them with the live ssh -G.
TEST(SshConfig, ProxyCommandIsTheRestOfTheLineAsWritten) {
    auto cfg = SshConfig::parse("Host a\n  ProxyCommand   ssh -W %h:%p \"my bastion\"  # c  \nHost b\n"
                                "  ProxyCommand=socat - TCP:%h:%p\n");
    EXPECT_EQ(cfg.resolve("a").proxy_command.value_or("?"), "ssh -W %h:%p \"my bastion\"  # c");
    EXPECT_EQ(cfg.resolve("b").proxy_command.value_or("?"), "socat - TCP:%h:%p");
    EXPECT_FALSE(cfg.resolve("c").proxy_command.has_value());
}

TEST(SshConfig, FirstOfProxyCommandAndProxyJumpWins) {
    auto cfg = SshConfig::parse(
        "Host cmd-first\n  ProxyCommand nc %h %p\nHost jump-first\n  ProxyJump j1\n"
        "Host cmd-none\n  ProxyCommand none\nHost jump-none\n  ProxyJump none\n"
        "Host *\n  ProxyJump j2\n  ProxyCommand late %h\n");
    auto a = cfg.resolve("cmd-first");
    EXPECT_EQ(a.proxy_command.value_or(""), "nc %h %p");
    EXPECT_TRUE(a.proxy_jump.empty());
    auto b = cfg.resolve("jump-first");
    EXPECT_FALSE(b.proxy_command.has_value());
    ASSERT_EQ(b.proxy_jump.size(), 1u);
    EXPECT_EQ(b.proxy_jump[0].host, "j1");
    // `ProxyCommand none` counts as obtained: no proxy at all
    auto c = cfg.resolve("cmd-none");
    EXPECT_FALSE(c.proxy_command.has_value());
    EXPECT_TRUE(c.proxy_jump.empty());
    // `ProxyJump none` stops later ProxyJumps only: the later ProxyCommand applies (as ssh -G shows)
    auto d = cfg.resolve("jump-none");
    EXPECT_TRUE(d.proxy_jump.empty());
    EXPECT_EQ(d.proxy_command.value_or(""), "late %h");
    EXPECT_EQ(cfg.resolve("other").proxy_jump.size(), 1u);
    EXPECT_FALSE(cfg.resolve("other").proxy_command.has_value());
}

TEST(SshConfig, ProxyCommandWithAnUnknownTokenIsAProblemAndIgnored) {
    auto cfg = SshConfig::parse("Host a\n  ProxyCommand nc %h %x\n  ProxyCommand nc %h 22%\nHost *\n  ProxyCommand ok %h\n",
                                "cfg");
    ASSERT_EQ(cfg.problems().size(), 2u);
    EXPECT_EQ(cfg.problems()[0],
              "cfg:2: ProxyCommand has the unknown token '%x' (known: %h %p %r %n %%); this line is ignored");
    EXPECT_EQ(cfg.problems()[1],
              "cfg:3: ProxyCommand has the unknown token '%' (known: %h %p %r %n %%); this line is ignored");
    EXPECT_EQ(cfg.resolve("a").proxy_command.value_or(""), "ok %h");
}

// Found by the fuzzer: `HostName ""` resolved every host to an empty name. ssh stops with "Missing
// argument"; hoist reports the line and ignores it, so the host keeps its own name.
TEST(SshConfig, AnEmptyQuotedValueIsNoValue) {
    auto cfg = SshConfig::parse("Host web1\n  HostName \"\"\n  User \"\"\n", "cfg");
    auto r = cfg.resolve("web1");
    EXPECT_EQ(r.hostname, "web1");
    EXPECT_FALSE(r.user.has_value());
    ASSERT_EQ(cfg.problems().size(), 2u);
    EXPECT_EQ(cfg.problems()[0], "cfg:2: 'hostname' has no value");
}
