// The CI integration files: action.yml (its inputs, outputs and scripts, the run script executed
// with the real hoist), the example GitHub workflow (deploys on push to main, one at a time per
// environment), the release workflow (builds the .deb on v* tags) and the Jenkinsfile.
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "ssh/proxy_command.hpp"
#include "ssh/ssh_config.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

using namespace hoist;
namespace fs = std::filesystem;

namespace {

const fs::path src = HOIST_SOURCE_DIR;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

struct Ran {
    ProcessResult process;
    std::string outputs;  ///< what the script appended to $GITHUB_OUTPUT
};

/// The action's run step, as the runner runs it: INPUT_* in the environment, hoist on PATH.
Ran run_action(std::map<std::string, std::string> inputs, const fs::path& cwd) {
    char tmpl[] = "/tmp/hoist-action-XXXXXX";
    fs::path dir = mkdtemp(tmpl);
    ProcessOptions o;
    o.cwd = cwd.string();
    o.env = {{"PATH", fs::path(HOIST_BINARY).parent_path().string() + ":" + std::getenv("PATH")},
             {"GITHUB_OUTPUT", (dir / "output").string()}, {"RUNNER_TEMP", dir.string()}, {"GITHUB_ACTIONS", ""}};
    for (auto& [k, v] : inputs) o.env["INPUT_" + k] = v;
    Ran r{run_process({(src / ".github/action/run.sh").string()}, o), slurp(dir / "output")};
    fs::remove_all(dir);
    return r;
}

}  // namespace

TEST(CiFiles, ActionHasTheInputsOutputsAndScripts) {
    auto a = YAML::LoadFile((src / "action.yml").string());
    EXPECT_EQ(a["runs"]["using"].as<std::string>(), "composite");
    for (const char* in : {"file", "stage", "command", "tag", "args", "version"}) EXPECT_TRUE(a["inputs"][in]) << in;
    EXPECT_EQ(a["inputs"]["command"]["default"].as<std::string>(), "deploy");
    for (const char* out : {"tag", "result", "previous-tag", "exit-code"})
        EXPECT_EQ(a["outputs"][out]["value"].as<std::string>(), std::string("${{ steps.run.outputs.") + out + " }}");
    for (const auto& step : a["runs"]["steps"]) {
        std::string run = step["run"].as<std::string>();
        auto at = run.find("/.github/action/");
        ASSERT_NE(at, std::string::npos) << run;
        fs::path script = src / run.substr(at + 1, run.find('"', at) - at - 1);
        EXPECT_EQ(access(script.c_str(), X_OK), 0) << script;
        EXPECT_EQ(run_process({"bash", "-n", script.string()}).exit_code, 0) << script;
    }
}

TEST(CiFiles, ActionRunStepSetsOutputsFromHoistsSummary) {
    auto ok = run_action({{"COMMAND", "plan"}, {"FILE", "pipelines/rolling-nginx.yml"}, {"TAG", "abc123"}}, src);
    EXPECT_EQ(ok.process.exit_code, 0) << ok.process.err;
    EXPECT_EQ(ok.outputs, "tag=abc123\nresult=succeeded\nprevious-tag=\nexit-code=0\n");

    char tmpl[] = "/tmp/hoist-action-bad-XXXXXX";
    fs::path bad = mkdtemp(tmpl);
    std::ofstream(bad / "hoist.yml") << "service: web\nimage: r.example.com/web\nhots: [h1]\n";
    auto failed = run_action({{"COMMAND", "validate"}, {"ARGS", "--no-color -v"}}, bad);
    fs::remove_all(bad);
    EXPECT_EQ(failed.process.exit_code, 2) << "the step fails with hoist's exit code";
    EXPECT_EQ(failed.outputs, "tag=\nresult=failed\nprevious-tag=\nexit-code=2\n");
}

TEST(CiFiles, ExampleWorkflowDeploysOnPushToMainOneDeployAtATime) {
    auto w = YAML::LoadFile((src / "examples/github-actions/deploy.yml").string());
    bool main_branch = false;
    for (const auto& b : w["on"]["push"]["branches"]) main_branch = main_branch || b.as<std::string>() == "main";
    EXPECT_TRUE(main_branch);
    std::set<std::string> groups, environments;
    int deploys = 0, pushes = 0;
    for (const auto& job : w["jobs"]) {
        for (const auto& step : job.second["steps"]) {
            if (!step["uses"] || !starts_with(step["uses"].as<std::string>(), "acme/hoist@")) continue;
            std::string command = step["with"]["command"].as<std::string>();
            pushes += command == "push";
            if (command != "deploy") continue;
            ++deploys;
            // a deploy job: its environment, and a concurrency group that queues instead of cancelling
            EXPECT_TRUE(job.second["environment"]["name"]) << job.first;
            EXPECT_FALSE(job.second["concurrency"]["cancel-in-progress"].as<bool>()) << job.first;
            groups.insert(job.second["concurrency"]["group"].as<std::string>());
            environments.insert(job.second["environment"]["name"].as<std::string>());
            EXPECT_NE(step["with"]["args"].as<std::string>().find("--skip-build"), std::string::npos);
        }
    }
    EXPECT_EQ(pushes, 1);
    EXPECT_EQ(deploys, 2);
    EXPECT_EQ(groups.size(), 2u);
    EXPECT_EQ(environments, (std::set<std::string>{"staging", "production"}));
    // the pipeline it deploys is valid in both stages
    for (const char* stage : {"staging", "production"}) {
        auto r = run_process({HOIST_BINARY, "-f", (src / "examples/github-actions/hoist.yml").string(), "-s", stage,
                              "validate"});
        EXPECT_EQ(r.exit_code, 0) << stage << r.err;
    }
}

TEST(CiFiles, ReleaseWorkflowTestsThePackagesAndAttachesTarballDebAndChecksums) {
    auto w = YAML::LoadFile((src / ".github/workflows/release.yml").string());
    EXPECT_EQ(w["on"]["push"]["tags"][0].as<std::string>(), "v*");
    auto runs_of = [&](const char* job) {
        std::string runs;
        for (const auto& step : w["jobs"][job]["steps"])
            if (step["run"]) runs += step["run"].as<std::string>() + "\n";
        return runs;
    };
    std::string build = runs_of("build");
    EXPECT_NE(build.find("-DCMAKE_INSTALL_PREFIX=/usr"), std::string::npos);
    EXPECT_NE(build.find("ctest --test-dir build -L package"), std::string::npos);
    EXPECT_NE(build.find("cmake/tarball.sh build dist"), std::string::npos);
    // the tarball is tried on a bare ubuntu-latest runner, with the action's installer
    EXPECT_EQ(w["jobs"]["ubuntu"]["runs-on"].as<std::string>(), "ubuntu-latest");
    EXPECT_FALSE(w["jobs"]["ubuntu"]["container"]);
    EXPECT_NE(runs_of("ubuntu").find("tests/unit/ci/install_test.sh dist/hoist-*-linux-x86_64.tar.gz"), std::string::npos);
    std::string files;
    for (const auto& step : w["jobs"]["publish"]["steps"])
        if (step["with"] && step["with"]["files"]) files = step["with"]["files"].as<std::string>();
    for (const char* f : {"dist/hoist-*-linux-x86_64.tar.gz\n", "dist/hoist-*-linux-x86_64.tar.gz.sha256\n",
                          "dist/hoist_*_amd64.deb\n", "dist/SHA256SUMS\n"})
        EXPECT_NE(files.find(f), std::string::npos) << f;
    std::vector<std::string> needs;
    for (const auto& n : w["jobs"]["publish"]["needs"]) needs.push_back(n.as<std::string>());
    EXPECT_EQ(needs, (std::vector<std::string>{"build", "ubuntu"})) << "nothing is published before both passed";
}

namespace {
ProcessResult choose(const std::string& assets, const std::string& os, const std::string& arch,
                     const std::string& distro) {
    ProcessOptions o;
    o.input = assets;
    o.timeout = std::chrono::seconds(20);
    return run_process({"bash", (src / ".github/action/install.sh").string(), "--choose", os, arch, distro}, o);
}
const std::string release_assets =
    "hoist_0.2.0_amd64.deb\nhoist_0.2.0_amd64.deb.sha256\nhoist-0.2.0-linux-x86_64.tar.gz\n"
    "hoist-0.2.0-linux-x86_64.tar.gz.sha256\nSHA256SUMS\n";
}  // namespace

TEST(CiFiles, InstallScriptTakesTheTarballOnEveryX86_64Linux) {
    for (const char* distro : {"ubuntu:noble", "ubuntu:jammy", "debian:bookworm", "debian:bullseye", "amzn:", "alpine:"}) {
        auto r = choose(release_assets, "Linux", "x86_64", distro);
        EXPECT_EQ(r.exit_code, 0) << distro << r.err;
        EXPECT_EQ(r.out, "hoist-0.2.0-linux-x86_64.tar.gz\n") << distro;
    }
    EXPECT_EQ(choose(release_assets, "Linux", "amd64", "").out, "hoist-0.2.0-linux-x86_64.tar.gz\n");
}

TEST(CiFiles, InstallScriptExplainsWhatItCannotInstall) {
    auto arm = choose(release_assets, "Linux", "aarch64", "ubuntu:noble");
    EXPECT_EQ(arm.exit_code, 1);
    EXPECT_NE(arm.err.find("this release has no hoist build for linux-aarch64"), std::string::npos) << arm.err;
    auto mac = choose(release_assets, "Darwin", "arm64", "");
    EXPECT_EQ(mac.exit_code, 1);
    EXPECT_NE(mac.err.find("hoist runs on Linux; this runner is Darwin"), std::string::npos) << mac.err;
    // a release from before the tarball: its .deb on Debian 12 only, a clear refusal elsewhere
    EXPECT_EQ(choose("hoist_0.1.0_amd64.deb\n", "Linux", "x86_64", "debian:bookworm").out, "hoist_0.1.0_amd64.deb\n");
    auto old = choose("hoist_0.1.0_amd64.deb\n", "Linux", "x86_64", "ubuntu:noble");
    EXPECT_EQ(old.exit_code, 1);
    EXPECT_NE(old.err.find("this release has only the Debian 12 package (hoist_0.1.0_amd64.deb), and this runner is "
                           "ubuntu:noble"),
              std::string::npos)
        << old.err;
}

TEST(CiFiles, InstallScriptInstallsFromAReleaseIntoTheToolCacheAndPath) {
    ProcessOptions o;
    o.timeout = std::chrono::seconds(60);
    auto r = run_process({"bash", (src / "tests/unit/ci/install_test.sh").string()}, o);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "ok\n") << r.err;
}

TEST(CiFiles, ActionNeedsNoContainerAndNoRoot) {
    std::string install = slurp(src / ".github/action/install.sh");
    EXPECT_EQ(install.find("Debian 12; run this job in"), std::string::npos) << "the Debian-12-only refusal is back";
    std::string action = slurp(src / "action.yml");
    EXPECT_EQ(action.find("container: debian:12"), std::string::npos);
    // the example workflows run the action on a plain ubuntu-latest runner
    for (const char* example : {"examples/github-actions/deploy.yml", "examples/ecr/deploy.yml"}) {
        auto w = YAML::LoadFile((src / example).string());
        for (const auto& job : w["jobs"]) {
            EXPECT_EQ(job.second["runs-on"].as<std::string>(), "ubuntu-latest") << example << " " << job.first;
            EXPECT_FALSE(job.second["container"]) << example << " " << job.first << " runs in a container";
        }
    }
}

TEST(CiFiles, FirstDayExamplesUseDockerHubABastionAndTheDockerBuilder) {
    std::string gh = slurp(src / "examples/github-actions/hoist.yml");
    for (const char* s : {"image: docker.io/acme/web", "builder: docker", "proxy_jump: ec2-user@bastion.example.com",
                          "host_key_checking: strict"})
        EXPECT_NE(gh.find(s), std::string::npos) << s;
    // ECR through SSM: the example's ssh_config gives every private address the SSM ProxyCommand
    auto cfg = ssh::SshConfig::load((src / "examples/ecr/ssh_config").string());
    EXPECT_TRUE(cfg.problems().empty()) << cfg.problems().front();
    std::string cmd = cfg.resolve("10.0.1.11").proxy_command.value_or("");
    EXPECT_NE(cmd.find("exec aws ssm start-session"), std::string::npos) << cmd;
    EXPECT_NE(cmd.find("portNumber=%p"), std::string::npos) << cmd;
    EXPECT_EQ(ssh::unknown_proxy_token(cmd), std::nullopt);
    auto r = run_process({HOIST_BINARY, "-f", (src / "examples/ecr/hoist.yml").string(), "validate"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CiFiles, JenkinsfileBindsCredentialsPublishesJunitAndRetriesOnALockedFleet) {
    std::string j = slurp(src / "examples/jenkins/Jenkinsfile");
    for (const char* s : {"withCredentials([usernamePassword(credentialsId: 'registry'", "sshUserPrivateKey(",
                          "--report junit=reports/deploy.xml", "junit testResults: 'reports/*.xml'",
                          "if (code == 3 && attempt < maxAttempts)", "sleep(time: 60, unit: 'SECONDS')",
                          "sh(returnStatus: true"})
        EXPECT_NE(j.find(s), std::string::npos) << s;
    auto r = run_process({HOIST_BINARY, "-f", (src / "examples/jenkins/hoist.yml").string(), "validate"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
}
