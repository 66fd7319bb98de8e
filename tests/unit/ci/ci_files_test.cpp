// The CI integration files: action.yml (its inputs, outputs and scripts, the run script executed
// with the real hoist), the example GitHub workflow (deploys on push to main, one at a time per
// environment), the release workflow (builds the .deb on v* tags) and the Jenkinsfile.
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

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

TEST(CiFiles, ReleaseWorkflowBuildsTestsAndAttachesTheDebOnVersionTags) {
    auto w = YAML::LoadFile((src / ".github/workflows/release.yml").string());
    EXPECT_EQ(w["on"]["push"]["tags"][0].as<std::string>(), "v*");
    std::string runs;
    bool uploads = false;
    for (const auto& step : w["jobs"]["deb"]["steps"]) {
        if (step["run"]) runs += step["run"].as<std::string>() + "\n";
        if (step["with"] && step["with"]["files"]) uploads = step["with"]["files"].as<std::string>() == "build/hoist_*_amd64.deb";
    }
    EXPECT_NE(runs.find("-DCMAKE_INSTALL_PREFIX=/usr"), std::string::npos);
    EXPECT_NE(runs.find("ctest --test-dir build -L package"), std::string::npos);
    EXPECT_TRUE(uploads);
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
