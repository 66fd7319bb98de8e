// GitHub Actions workflow commands and the job summary, as exact text.
#include "report/github.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "report/output.hpp"
#include "sample_summary.hpp"

using namespace hoist::report;

TEST(Github, EscapingFollowsTheRunner) {
    EXPECT_EQ(github::escape_data("50% done\r\nnext: a,b"), "50%25 done%0D%0Anext: a,b");
    EXPECT_EQ(github::escape_property("deploy/hoist.yml: a,b"), "deploy/hoist.yml%3A a%2Cb");
}

TEST(Github, GroupsAndAnnotations) {
    EXPECT_EQ(github::group("push web:abc"), "::group::push web:abc\n");
    EXPECT_EQ(github::endgroup(), "::endgroup::\n");
    EXPECT_EQ(github::annotation(github::Level::error, "unknown key 'hots' (did you mean 'hosts'?)", "hoist.yml", 3, 1),
              "::error file=hoist.yml,line=3,col=1::unknown key 'hots' (did you mean 'hosts'?)\n");
    EXPECT_EQ(github::annotation(github::Level::warning, "100% sure,\nreally"), "::warning::100%25 sure,%0Areally\n");
    EXPECT_EQ(github::annotation(github::Level::notice, "n", "a,b.yml", 2), "::notice file=a%2Cb.yml,line=2::n\n");
}

TEST(Github, MaskEveryLineOfASecret) {
    EXPECT_EQ(github::add_mask("p4ss%word"), "::add-mask::p4ss%25word\n");
    EXPECT_EQ(github::add_mask("-----BEGIN KEY-----\r\nAAAA\n\n-----END KEY-----\n"),
              "::add-mask::-----BEGIN KEY-----\n::add-mask::AAAA\n::add-mask::-----END KEY-----\n");
    EXPECT_EQ(github::add_mask(""), "");
}

TEST(Github, FilesAreNamedRelativeToTheWorkspace) {
    namespace fs = std::filesystem;
    std::string cwd = fs::current_path().string();
    EXPECT_EQ(github::workspace_relative("deploy/hoist.yml", cwd), "deploy/hoist.yml");
    EXPECT_EQ(github::workspace_relative(cwd + "/deploy/hoist.yml", fs::path(cwd).parent_path().string()),
              fs::path(cwd).filename().string() + "/deploy/hoist.yml");
    EXPECT_EQ(github::workspace_relative("/elsewhere/hoist.yml", cwd), "/elsewhere/hoist.yml");
    EXPECT_EQ(github::workspace_relative("hoist.yml", ""), "hoist.yml");
}

TEST(Github, StepSummaryOfAFailedDeploy) {
    EXPECT_EQ(github::render_step_summary(hoist::test::failed_deploy_summary()),
              "### ↩️ hoist deploy web: rolled_back (exit code 1)\n\n"
              "**tag** `abc123` (previous `def456`) · **strategy** rolling · **time** 8.1 s (build 2.0 s, push 1.1 s, "
              "rollout 5.0 s)\n\n"
              "| Host | Version | Result | Time |\n| --- | --- | --- | --- |\n"
              "| 10.0.1.11 | `def456` | ↩️ rolled_back | 2.1 s |\n"
              "| 10.0.1.12 | `def456` | ➖ unchanged | 0 ms |\n"
              "| 10.0.1.13 | `def456` | ❌ failed: health check: HTTP 503 &lt;Service Unavailable&gt; for 60 s | 1m 00s |\n"
              "\n**3 hosts:** 1 failed, 1 rolled_back, 1 unchanged\n\n");
}

TEST(Github, StepSummaryShowsOldToNewVersion) {
    EXPECT_EQ(github::render_step_summary(hoist::test::succeeded_deploy_summary()),
              "### ✅ hoist deploy web: succeeded\n\n"
              "**tag** `abc123` (previous `def456`) · **strategy** blue_green · **time** 4.2 s (rollout 4.2 s)\n\n"
              "| Host | Version | Result | Time |\n| --- | --- | --- | --- |\n"
              "| 10.0.1.11 | `def456` → `abc123` | ✅ updated | 4.1 s |\n"
              "\n**1 host:** 1 updated\n\n");
}

TEST(Github, StepSummaryOfAnInvalidFileListsTheProblems) {
    auto s = nlohmann::json::parse(R"J({"command": "validate", "result": "failed", "exit_code": 2,
        "error": "hoist.yml: 1 problem found | nothing was touched",
        "problems": ["hoist.yml:3:1: unknown key 'hots' (did you mean 'hosts'?)"]})J");
    EXPECT_EQ(github::render_step_summary(s),
              "### ❌ hoist validate: failed (exit code 2)\n\n"
              "> **Error:** hoist.yml: 1 problem found \\| nothing was touched\n\n"
              "- `hoist.yml:3:1: unknown key 'hots' (did you mean 'hosts'?)`\n\n");
}

// Container logs and remote errors are printed as messages; the runner strips leading spaces
// and obeys any line that then starts with `::` (or `##[`).
TEST(Github, RemoteLinesThatLookLikeCommandsAreNotObeyed) {
    EXPECT_EQ(github::neutralize_commands("      ::add-mask::x\nplain\n", "T"),
              "::stop-commands::T\n      ::add-mask::x\n::T::\nplain\n");
    EXPECT_EQ(github::neutralize_commands("\t##[set-env name=A]b", "T"), "::stop-commands::T\n\t##[set-env name=A]b\n::T::");
    EXPECT_EQ(github::neutralize_commands("host: a::b\n", "T"), "host: a::b\n");
    std::string a = github::neutralize_commands("::x::", ""), b = github::neutralize_commands("::x::", "");
    EXPECT_NE(a, b) << "the token must not be guessable";
}

TEST(Github, OutputUnderGithubActionsWrapsCommandLookingMessages) {
    std::FILE* err = std::tmpfile();
    {
        OutputOptions o;
        o.github = true;
        Output out(o, stdout, err);
        out.info("    container logs (last lines):\n      ::error::fake failure");
    }
    std::rewind(err);
    std::string text;
    char buf[512];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, err)) text.append(buf, n);
    std::fclose(err);
    EXPECT_NE(text.find("::stop-commands::hoist-"), std::string::npos) << text;
    auto stop = text.find("::stop-commands::"), line = text.find("      ::error::fake failure");
    EXPECT_LT(stop, line) << text;
}

// Remote text in the job summary cannot become a link, an image or markup, nor leave a code span.
TEST(Github, SummaryCellsCannotCarryLinksImagesOrHtml) {
    auto s = hoist::test::failed_deploy_summary();
    s["hosts"][2]["error"] = "![x](https://t.example/p.png) [approve](https://evil.example) <img src=x> *b* `c`";
    s["hosts"][2]["version"] = "a`b|c";
    std::string md = github::render_step_summary(s);
    EXPECT_NE(md.find("\\!\\[x\\](https://t.example/p.png) \\[approve\\](https://evil.example) "
                      "&lt;img src=x&gt; \\*b\\* \\`c\\`"),
              std::string::npos) << md;
    EXPECT_NE(md.find("``a`b\\|c``"), std::string::npos) << md;
}
