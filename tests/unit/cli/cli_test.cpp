// The hoist binary end to end for what needs no fleet: exit codes, messages, JSON lines.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "util/process.hpp"
#include "util/strings.hpp"

using namespace hoist;
namespace fs = std::filesystem;

namespace {

ProcessResult hoist_run(std::vector<std::string> args, const std::string& cwd = HOIST_SOURCE_DIR) {
    args.insert(args.begin(), HOIST_BINARY);
    ProcessOptions o;
    o.cwd = cwd;
    o.env["NO_COLOR"] = "1";
    o.env["GITHUB_ACTIONS"] = "";  // the suite may itself run as a GitHub Actions step
    return run_process(args, o);
}

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/hoist-cli-test-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST(Cli, EveryReferencePipelineValidates) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(HOIST_SOURCE_DIR) / "pipelines")) {
        if (entry.path().extension() != ".yml") continue;
        auto r = hoist_run({"-f", entry.path().string(), "validate"});
        EXPECT_EQ(r.exit_code, 0) << entry.path() << "\n" << r.err;
        ++n;
        auto stages = hoist_run({"-f", entry.path().string(), "-o", "json", "validate"});
        EXPECT_EQ(stages.exit_code, 0);
    }
    EXPECT_GE(n, 6);
    for (const char* stage : {"staging", "production"}) {
        auto r = hoist_run({"-f", "pipelines/stages.yml", "--stage", stage, "validate"});
        EXPECT_EQ(r.exit_code, 0) << stage << r.err;
    }
}

TEST(Cli, ExamplePipelinesValidate) {
    int n = 0;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(HOIST_SOURCE_DIR) / "examples")) {
        if (entry.path().filename() != "hoist.yml") continue;
        auto r = hoist_run({"-f", entry.path().string(), "validate"});
        EXPECT_EQ(r.exit_code, 0) << entry.path() << "\n" << r.err;
        ++n;
    }
    EXPECT_GE(n, 1);
}

TEST(Cli, FiveMistakesFiveLocatedMessagesExit2) {
    TempDir dir;
    std::ofstream(dir.path / "hoist.yml") << "service: web\nimage: registry.example.com/acme/web\nhots: [10.0.1.11]\n"
                                             "ssh:\n  host_key_checking: maybe\ncontainer:\n  port: 99999\n"
                                             "healthcheck:\n  timeout: soon\nstrategy:\n  type: canary\n";
    auto r = hoist_run({"validate"}, dir.path.string());
    EXPECT_EQ(r.exit_code, 2);
    auto lines = split(trim(r.err), '\n');
    ASSERT_EQ(lines.size(), 6u) << r.err;  // five problems and the closing line
    EXPECT_EQ(lines[0], "hoist.yml:3:1: unknown key 'hots' (did you mean 'hosts'?)");
    EXPECT_TRUE(starts_with(lines[1], "hoist.yml:5:22: "));
    EXPECT_TRUE(starts_with(lines[2], "hoist.yml:7:9: "));
    EXPECT_TRUE(starts_with(lines[3], "hoist.yml:9:12: "));
    EXPECT_TRUE(starts_with(lines[4], "hoist.yml:11:9: "));
    // not a terminal: the message line carries its time; the diagnostics stay FILE:LINE:COL for tools
    EXPECT_TRUE(std::regex_match(lines[5], std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z )"
                                                      "error: hoist.yml: 5 problems found; nothing was touched")))
        << lines[5];
}

TEST(Cli, JsonModeEndsWithSummaryAndReportsDiagnostics) {
    TempDir dir;
    std::ofstream(dir.path / "hoist.yml") << "service: web\nimage: r.example.com/web\nhosts: [h1]\nhots: 1\n";
    auto r = hoist_run({"-o", "json", "validate"}, dir.path.string());
    EXPECT_EQ(r.exit_code, 2);
    auto lines = split(trim(r.out), '\n');
    ASSERT_EQ(lines.size(), 2u) << r.out;
    auto diag = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(diag["event"], "diagnostic");
    EXPECT_EQ(diag["line"], 4);
    EXPECT_EQ(diag["column"], 1);
    EXPECT_TRUE(diag.contains("time"));
    auto summary = nlohmann::json::parse(lines[1]);
    EXPECT_EQ(summary["event"], "summary");
    EXPECT_EQ(summary["exit_code"], 2);
    EXPECT_EQ(summary["result"], "failed");
}

TEST(Cli, InitWritesAValidStarterAndNeverOverwrites) {
    TempDir dir;
    auto r = hoist_run({"init"}, dir.path.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto v = hoist_run({"validate"}, dir.path.string());
    EXPECT_EQ(v.exit_code, 0) << v.err;
    std::ofstream(dir.path / "hoist.yml") << "# mine\n";
    r = hoist_run({"init"}, dir.path.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("already exists"), std::string::npos);
    std::ifstream in(dir.path / "hoist.yml");
    std::string content((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(content, "# mine\n");
}

// Offline, against hosts that do not exist: what plan prints. That it touches nothing is asserted
// on the real fleet (tests/integration/deploy/plan_fleet_test.cpp, PlanPrintsStepsAndTouchesNothing).
TEST(Cli, PlanPrintsSteps) {
    auto r = hoist_run({"-f", "pipelines/rolling-nginx.yml", "plan", "--offline", "--tag", "abc123"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Batch 3/3: 10.0.1.13"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("DATABASE_URL=***"), std::string::npos);
    EXPECT_EQ(r.err.find("could not look at"), std::string::npos) << "--offline connects to nothing: " << r.err;
    auto j = hoist_run({"-f", "pipelines/rolling-nginx.yml", "-o", "json", "plan", "--offline", "--tag", "abc123"});
    auto lines = split(trim(j.out), '\n');
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(nlohmann::json::parse(lines[0])["event"], "plan");
    EXPECT_EQ(nlohmann::json::parse(lines[1])["tag"], "abc123");
    auto plan = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(plan["observed"], false);
    for (std::size_t i = 0; i < plan["steps"].size(); ++i) EXPECT_EQ(plan["steps"][i]["id"], i) << "step ids are their index";
}

// By default plan looks at the hosts first, as a deploy does. A host that cannot be reached is
// said by name; the plan is then made without looking (a warning, exit 0), and --observe makes it
// an error (exit 1). --adopt depends on what runs, so it cannot be planned offline (exit 2).
TEST(Cli, PlanLooksAtTheHostsFirstAndSaysWhenItCannot) {
    TempDir dir;
    std::ofstream(dir.path / "hoist.yml") << "service: web\nimage: registry.example.com/acme/web\n"
                                             "hosts: [\"127.0.0.1:1\"]\nssh:\n  connect_timeout: 2s\n";
    auto r = hoist_run({"plan", "--tag", "v1"}, dir.path.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("could not look at 127.0.0.1"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("this plan is made without looking"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("the fleet was not observed"), std::string::npos) << r.out;
    auto strict = hoist_run({"plan", "--observe", "--tag", "v1"}, dir.path.string());
    EXPECT_EQ(strict.exit_code, 1) << strict.err;
    EXPECT_NE(strict.err.find("could not look at 127.0.0.1"), std::string::npos) << strict.err;
    EXPECT_EQ(hoist_run({"plan", "--offline", "--adopt", "--tag", "v1"}, dir.path.string()).exit_code, 2);
}

// --offline calls nothing: an Auto Scaling group's instances are not listed (no AWS call, so no
// credentials needed), and the plan says where the hosts will come from instead.
TEST(Cli, PlanOfflineWithAnAutoScalingGroupCallsNoAws) {
    TempDir dir;
    std::ofstream(dir.path / "hoist.yml") << "service: web\nimage: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web\n"
                                             "hosts: [{ asg: { name: web-asg, region: eu-west-1 } }]\n"
                                             "ssh: { user: deploy }\n";
    std::vector<std::string> args{HOIST_BINARY, "plan", "--offline", "--tag", "v1"};
    ProcessOptions o;
    o.cwd = dir.path.string();
    o.env = {{"NO_COLOR", "1"}, {"GITHUB_ACTIONS", ""}, {"HOME", dir.path.string()}, {"AWS_ACCESS_KEY_ID", ""},
             {"AWS_SECRET_ACCESS_KEY", ""}, {"AWS_SESSION_TOKEN", ""}, {"AWS_PROFILE", ""},
             {"AWS_SHARED_CREDENTIALS_FILE", ""}, {"AWS_CONFIG_FILE", ""}, {"AWS_EC2_METADATA_DISABLED", "true"}};
    auto r = run_process(args, o);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("credentials"), std::string::npos) << "no AWS call, so no credentials asked for: " << r.err;
    EXPECT_NE(r.out.find("Auto Scaling group web-asg, not looked up (--offline)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Launch, Terminate, AZRebalance, ReplaceUnhealthy suspended"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("no host is known without looking"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("already runs"), std::string::npos) << r.out;
    // looking (without --offline) needs the group's instances: the missing credentials are the error
    args = {HOIST_BINARY, "plan", "--tag", "v1"};
    auto online = run_process(args, o);
    EXPECT_NE(online.exit_code, 0);
    EXPECT_NE(online.err.find("no AWS credentials found"), std::string::npos) << online.err;
}

TEST(Cli, PlanShowsEveryRoleAndTheReleaseCommand) {
    auto r = hoist_run({"-f", "pipelines/web-worker-redis.yml", "plan", "--offline", "--tag", "abc123"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto release = r.out.find("bin/rails db:migrate");
    auto worker_pull = r.out.find("10.0.1.21");
    auto worker = r.out.find("Then role worker");
    ASSERT_NE(release, std::string::npos) << r.out;
    ASSERT_NE(worker_pull, std::string::npos) << r.out;
    ASSERT_NE(worker, std::string::npos) << r.out;
    EXPECT_LT(worker_pull, release) << "the worker-only host's pre-flight comes before the release command";
    EXPECT_LT(release, worker);
    EXPECT_NE(r.out.find("docker stop --time 90 'shop-worker-<previous>'", worker), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--name shop-worker-abc123", worker), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("bin/jobs --alive", worker), std::string::npos) << "its exec probe: " << r.out;
    auto j = hoist_run({"-f", "pipelines/web-worker-redis.yml", "-o", "json", "--roles", "worker", "plan", "--offline", "--tag", "abc123"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    auto lines = split(trim(j.out), '\n');
    ASSERT_EQ(lines.size(), 3u) << j.out;
    EXPECT_EQ(nlohmann::json::parse(lines[0])["role"], "web");
    EXPECT_EQ(nlohmann::json::parse(lines[1])["role"], "worker");
    EXPECT_EQ(j.out.find("db:migrate"), std::string::npos) << "--roles worker: no web rollout, no release command";
    EXPECT_EQ(hoist_run({"-f", "pipelines/web-worker-redis.yml", "--roles", "nope", "plan"}).exit_code, 2);
}

TEST(Cli, MissingFileIsUsageError) {
    TempDir dir;
    auto r = hoist_run({"validate"}, dir.path.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("hoist.yml: no pipeline file here"), std::string::npos) << r.err;
}

TEST(Cli, UnknownFlagAndCommandAreUsageErrors) {
    EXPECT_EQ(hoist_run({"--bogus", "validate"}).exit_code, 2);
    EXPECT_EQ(hoist_run({"frobnicate"}).exit_code, 2);
    EXPECT_EQ(hoist_run({}).exit_code, 2);
    EXPECT_EQ(hoist_run({"-o", "xml", "validate"}).exit_code, 2);
}

TEST(Cli, VersionNamesTheLinkedLibraries) {
    auto r = hoist_run({"version"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* lib : {"libcurl", "libssh2 1.1", "openssl", "yaml-cpp", "nlohmann_json", "CLI11", "zlib", "glibc 2."})
        EXPECT_NE(r.out.find(lib), std::string::npos) << lib << "\n" << r.out;
}

TEST(Cli, VersionNamesTheGitRevisionOfTheSourceTree) {
    // read at build time, not configure time: a commit after configuring still shows
    auto git = run_process({"git", "-C", HOIST_SOURCE_DIR, "describe", "--always", "--dirty", "--tags"});
    ASSERT_EQ(git.exit_code, 0) << git.err;
    auto r = hoist_run({"version"});
    EXPECT_EQ(split(r.out, '\n')[0], "hoist 0.1.0 (" + trim(git.out) + ")") << r.out;
}

TEST(Cli, HelpListsEveryCommand) {
    auto r = hoist_run({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* c : {"init", "validate", "plan", "build", "push", "deploy", "rollback", "status", "exec", "logs",
                          "lock", "history", "version", "completion"})
        EXPECT_NE(r.out.find(std::string("  ") + c), std::string::npos) << c;
}

TEST(Cli, AnSshFailureOutsideADeployIsExit1NeverExit4) {
    // Nobody listens on port 1 of this machine: every command that reaches the host fails, for real.
    // Exit 4 says a fleet was left on two versions; a lock command that cannot connect left nothing.
    TempDir dir;
    std::ofstream(dir.path / "hoist.yml") << "service: web\nimage: r.example.com/web\n"
                                             "hosts: [127.0.0.1:1]\nssh: { connect_timeout: 2s }\n";
    auto lock = hoist_run({"-o", "json", "lock", "status"}, dir.path.string());
    EXPECT_EQ(lock.exit_code, 1) << lock.err;
    EXPECT_NE(lock.err.find("cannot reach 127.0.0.1, the host that holds the deploy lock"), std::string::npos)
        << "says the host cannot be reached: " << lock.err;
    EXPECT_NE(lock.err.find("127.0.0.1:1: cannot connect"), std::string::npos) << "and why: " << lock.err;
    EXPECT_EQ(lock.err.find("internal error"), std::string::npos) << "an SSH failure is no bug of hoist: " << lock.err;
    auto last = split(trim(lock.out), '\n').back();
    EXPECT_EQ(nlohmann::json::parse(last)["exit_code"], 1) << last;
    auto deploy = hoist_run({"deploy", "--tag", "v1"}, dir.path.string());
    EXPECT_EQ(deploy.exit_code, 1) << deploy.err;
    EXPECT_NE(deploy.err.find("nothing was changed"), std::string::npos) << deploy.err;
}

// A tag given on the command line becomes a container name and an env file path on every host.
TEST(Cli, TagsOnTheCommandLineAreCheckedBeforeAnythingIsTouched) {
    auto r = hoist_run({"-f", "pipelines/rolling-nginx.yml", "rollback", "--to", "../../../../srv/app/"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--to '../../../../srv/app/': a tag must be 1-128 characters"), std::string::npos) << r.err;
    auto p = hoist_run({"-f", "pipelines/rolling-nginx.yml", "plan", "--tag", "a/../../b"});
    EXPECT_EQ(p.exit_code, 2) << p.err;
    EXPECT_NE(p.err.find("--tag 'a/../../b': a tag must be"), std::string::npos) << p.err;
}
