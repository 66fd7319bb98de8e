// From pipeline + ssh_config to connection targets: what the pipeline writes wins, ssh_config
// fills in, defaults last.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "deploy/connect.hpp"
#include "config/loader.hpp"
#include "ssh/targets.hpp"

using namespace hoist;

namespace {

config::Pipeline load(const std::string& yaml) {
    config::LoadOptions o;
    o.file = "/tmp/hoist.yml";
    auto r = config::load_pipeline_text(yaml, o);
    for (const auto& d : r.diagnostics.all()) ADD_FAILURE() << d.format();
    return r.pipeline;
}

struct TempConfig {
    std::string path = "/tmp/hoist-ssh-config-" + std::to_string(::getpid());
    explicit TempConfig(const std::string& text) { std::ofstream(path) << text; }
    ~TempConfig() { std::filesystem::remove(path); }
};

}  // namespace

TEST(Targets, DefaultsAgentThenDefaultKeyFiles) {
    setenv("HOME", "/home/t", 1);
    auto p = load("service: web\nimage: r.example.com/a/web\nhosts: [10.0.0.1, deploy@10.0.0.2:2222]\n");
    auto plan = ssh::make_targets(deploy::ssh_settings(p));
    ASSERT_EQ(plan.targets.size(), 2u);
    const auto& a = plan.targets[0].endpoint;
    EXPECT_EQ(a.label(), "root@10.0.0.1:22");
    EXPECT_TRUE(a.use_agent);
    EXPECT_TRUE(a.files_optional);
    EXPECT_EQ(a.identity_files, (std::vector<std::string>{"/home/t/.ssh/id_ed25519", "/home/t/.ssh/id_ecdsa",
                                                          "/home/t/.ssh/id_rsa"}));
    EXPECT_EQ(plan.targets[1].endpoint.label(), "deploy@10.0.0.2:2222");
    EXPECT_TRUE(plan.targets[0].jumps.empty());
}

TEST(Targets, ExplicitIdentityFilesAreTheOnlyKeys) {
    setenv("HOME", "/home/t", 1);
    auto p = load("service: web\nimage: r.example.com/a/web\nhosts: [h]\nssh:\n  identity_files: [~/k1, /k2]\n");
    auto t = ssh::make_targets(deploy::ssh_settings(p)).targets.at(0);
    EXPECT_FALSE(t.endpoint.use_agent);
    EXPECT_FALSE(t.endpoint.files_optional);
    EXPECT_EQ(t.endpoint.identity_files, (std::vector<std::string>{"/home/t/k1", "/k2"}));
}

TEST(Targets, SshConfigFillsWhatThePipelineLeavesOpen) {
    TempConfig cfg("Host web*\n  HostName %h.internal\n  User cfguser\n  Port 2200\n  IdentityFile /keys/%h\n"
                   "  ProxyJump jump@bastion:2222\nHost bastion\n  HostName 10.9.9.9\n  User bastionuser\n");
    auto p = load("service: web\nimage: r.example.com/a/web\nhosts: [web1, ops@web2:2022]\nssh:\n  config: " + cfg.path +
                  "\n");
    auto plan = ssh::make_targets(deploy::ssh_settings(p));
    EXPECT_TRUE(plan.problems.empty());
    const auto& a = plan.targets[0];
    EXPECT_EQ(a.name, "web1");
    EXPECT_EQ(a.endpoint.label(), "cfguser@web1.internal:2200");
    EXPECT_EQ(a.endpoint.identity_files, std::vector<std::string>{"/keys/web1.internal"});
    ASSERT_EQ(a.jumps.size(), 1u);
    EXPECT_EQ(a.jumps[0].label(), "jump@10.9.9.9:2222");  // the hop's HostName from its own block
    // user and port written on the host win over the config
    EXPECT_EQ(plan.targets[1].endpoint.label(), "ops@web2.internal:2022");
}

TEST(Targets, PipelineProxyJumpWinsOverConfig) {
    TempConfig cfg("Host *\n  ProxyJump cfgjump\n");
    auto p = load("service: web\nimage: r.example.com/a/web\nhosts: [h]\nssh:\n  user: deploy\n  config: " + cfg.path +
                  "\n  proxy_jump: [a@b1, b2:2200]\n");
    auto t = ssh::make_targets(deploy::ssh_settings(p)).targets.at(0);
    ASSERT_EQ(t.jumps.size(), 2u);
    EXPECT_EQ(t.jumps[0].label(), "a@b1:22");
    EXPECT_EQ(t.jumps[1].label(), "deploy@b2:2200");
}

TEST(Targets, ConnectOptionsFromPipeline) {
    setenv("HOME", "/home/t", 1);
    setenv("HOIST_SSH_KEY_PASSPHRASE", "pw", 1);
    auto p = load("service: web\nimage: r.example.com/a/web\nhosts: [h]\nssh:\n  host_key_checking: accept-new\n"
                  "  connect_timeout: 3s\n");
    auto o = ssh::make_connect_options(deploy::ssh_settings(p), nullptr);
    unsetenv("HOIST_SSH_KEY_PASSPHRASE");
    EXPECT_EQ(o.host_keys.checking, ssh::HostKeyChecking::accept_new);
    EXPECT_EQ(o.host_keys.known_hosts, "/home/t/.ssh/known_hosts");
    EXPECT_EQ(o.connect_timeout, std::chrono::seconds(3));
    EXPECT_EQ(o.passphrase.reveal(), "pw");
}

TEST(Targets, ProxyCommandTokensAreTheResolvedHostPortUserAndAlias) {
    TempConfig cfg("Host web*\n  HostName %h.internal\n  Port 2200\n  User cfguser\n"
                   "  ProxyCommand ssh -W %h:%p -l %r bastion # %n %%\n");
    auto p = load("service: web\nimage: r.example.com/a/web\nhosts: [web1, ops@web2:2022]\nssh:\n  config: " + cfg.path +
                  "\n");
    auto plan = ssh::make_targets(deploy::ssh_settings(p));
    EXPECT_TRUE(plan.problems.empty());
    EXPECT_EQ(plan.targets[0].endpoint.proxy_command, "ssh -W web1.internal:2200 -l cfguser bastion # web1 %");
    // what the pipeline writes on the host is what %r and %p stand for
    EXPECT_EQ(plan.targets[1].endpoint.proxy_command, "ssh -W web2.internal:2022 -l ops bastion # web2 %");
    EXPECT_TRUE(plan.targets[0].jumps.empty());
}

TEST(Targets, PipelineProxyJumpReplacesTheHostsProxyCommandButNotTheBastions) {
    TempConfig cfg("Host h\n  ProxyCommand nc %h %p\nHost bastion\n  HostName 10.9.9.9\n"
                   "  ProxyCommand aws ssm start-session --target i-123 --parameters portNumber=%p\n"
                   "Host inner\n  ProxyCommand never-run %h\n");
    auto p = load("service: web\nimage: r.example.com/a/web\nhosts: [h]\nssh:\n  user: deploy\n  config: " + cfg.path +
                  "\n  proxy_jump: [bastion, inner]\n");
    auto t = ssh::make_targets(deploy::ssh_settings(p)).targets.at(0);
    EXPECT_EQ(t.endpoint.proxy_command, "");
    ASSERT_EQ(t.jumps.size(), 2u);
    // the first hop is reached through its own ProxyCommand (an SSM bastion); later hops through it
    EXPECT_EQ(t.jumps[0].proxy_command, "aws ssm start-session --target i-123 --parameters portNumber=22");
    EXPECT_EQ(t.jumps[1].proxy_command, "");
}
