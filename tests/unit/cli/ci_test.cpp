// The hoist binary in CI: GitHub Actions (masks first, groups, annotations at the right line and
// column, the job summary), report files (JSON = the last JSON line, JUnit in the shape Jenkins
// reads, with a failed case for a failed host), and secrets never written outside GitHub Actions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "util/process.hpp"
#include "util/strings.hpp"

using namespace hoist;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/hoist-ci-test-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// Runs hoist in `cwd`; GitHub Actions only when `env` says so (the suite itself may run there).
ProcessResult run_hoist(std::vector<std::string> args, const fs::path& cwd, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), HOIST_BINARY);
    ProcessOptions o;
    o.cwd = cwd.string();
    o.env = {{"GITHUB_ACTIONS", ""}, {"GITHUB_STEP_SUMMARY", ""}, {"GITHUB_WORKSPACE", ""}, {"NO_COLOR", "1"}};
    for (auto& [k, v] : env) o.env[k] = v;
    return run_process(args, o);
}

constexpr const char* password = "pa55-Wörd%42";
constexpr const char* db_url = "postgres://app:s3cret@db/app";

/// A pipeline with a registry password and a secret_env value, and two mistakes (lines 9 and 11).
void write_secret_pipeline(const fs::path& dir, bool with_mistakes) {
    fs::create_directories(dir);
    std::ofstream(dir / "hoist.yml") << "service: web\n"
                                        "image: registry.example.com/acme/web\n"
                                        "registry:\n"
                                        "  username: deploy\n"
                                        "  password: ${REGISTRY_PASSWORD}\n"
                                        "hosts: [10.0.1.11, 10.0.1.12]\n"
                                        "container:\n"
                                        "  secret_env: [DATABASE_URL]\n"
                                     << (with_mistakes ? "  prot: 8080\nstrategy:\n  type: canary\n" : "");
}

std::map<std::string, std::string> secrets_env() {
    return {{"REGISTRY_PASSWORD", password}, {"DATABASE_URL", db_url}};
}

}  // namespace

TEST(CiGithub, MasksComeFirstThenAnnotationsAtTheRightLineAndColumn) {
    TempDir ws;
    write_secret_pipeline(ws.path / "deploy", true);
    auto env = secrets_env();
    env["GITHUB_ACTIONS"] = "true";
    env["GITHUB_WORKSPACE"] = ws.path.string();
    env["GITHUB_STEP_SUMMARY"] = (ws.path / "summary.md").string();
    // run from a subdirectory with a relative -f: annotations must still name the file from the repository root
    auto r = run_hoist({"-f", "hoist.yml", "validate"}, ws.path / "deploy", env);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    auto lines = split(trim(r.err), '\n');
    ASSERT_GE(lines.size(), 6u) << r.err;
    EXPECT_EQ(lines[0], "::add-mask::pa55-Wörd%2542");
    EXPECT_EQ(lines[1], "::add-mask::" + std::string(db_url));
    EXPECT_EQ(lines[2], "hoist.yml:9:3: unknown key 'prot' in 'container' (did you mean 'port'?)");
    EXPECT_EQ(lines[3], "::error file=deploy/hoist.yml,line=9,col=3::unknown key 'prot' in 'container' (did you mean 'port'?)");
    EXPECT_TRUE(starts_with(lines[5], "::error file=deploy/hoist.yml,line=11,col=9::")) << lines[5];
    EXPECT_EQ(lines.back(), "::error::hoist.yml: 2 problems found; nothing was touched");
    // the secret values appear only in the mask lines
    EXPECT_EQ(r.err.find(password), std::string::npos);
    EXPECT_EQ(r.err.find(db_url), r.err.find("::add-mask::" + std::string(db_url)) + 12);

    std::string md = slurp(ws.path / "summary.md");
    EXPECT_NE(md.find("### ❌ hoist validate web: failed (exit code 2)"), std::string::npos) << md;
    EXPECT_NE(md.find("- `hoist.yml:9:3: unknown key 'prot' in 'container' (did you mean 'port'?)`"), std::string::npos) << md;
}

TEST(CiGithub, PhasesAreGroupsAndTheJobSummaryIsAppended) {
    TempDir dir;
    std::ofstream(dir.path / "hoist.yml") << "service: web\nimage: registry.test/acme/web\ntag: v1\n"
                                             "build: { context: app }\nhosts: [10.0.0.1]\n";
    fs::create_directories(dir.path / "app");
    std::ofstream(dir.path / "app/Dockerfile") << "FROM scratch\nCOPY index.html /www/\n";
    std::ofstream(dir.path / "app/index.html") << "hi\n";
    std::ofstream(dir.path / "summary.md") << "earlier step\n";
    auto r = run_hoist({"build"}, dir.path,
                   {{"GITHUB_ACTIONS", "true"}, {"GITHUB_STEP_SUMMARY", (dir.path / "summary.md").string()},
                    {"XDG_CACHE_HOME", (dir.path / "cache").string()}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto lines = split(trim(r.err), '\n');
    ASSERT_GE(lines.size(), 5u) << r.err;
    EXPECT_TRUE(starts_with(lines[0], "building registry.test/acme/web:v1")) << r.err;
    EXPECT_EQ(lines[1], "::group::build");
    EXPECT_TRUE(starts_with(lines[2], "[1/2] FROM scratch")) << r.err;
    EXPECT_TRUE(starts_with(lines[3], "[2/2] COPY index.html /www/  built")) << r.err;
    EXPECT_EQ(lines[4], "::endgroup::");
    EXPECT_EQ(r.err.find("T0"), std::string::npos) << "no timestamps under GitHub Actions (the runner adds them)";
    std::string md = slurp(dir.path / "summary.md");
    EXPECT_TRUE(starts_with(md, "earlier step\n### ✅ hoist build web: succeeded\n\n**image** `registry.test/acme/web:v1` · "
                                "**tag** `v1` · **time** "))
        << md;
}

TEST(CiReports, SecretsAreNeverPrintedOutsideGithubActions) {
    TempDir dir;
    write_secret_pipeline(dir.path, false);
    auto r = run_hoist({"--report", "json=" + (dir.path / "s.json").string(), "--report",
                    "junit=" + (dir.path / "j.xml").string(), "--report", "markdown=" + (dir.path / "s.md").string(),
                    "plan", "--tag", "abc123"},
                   dir.path, secrets_env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("DATABASE_URL=***"), std::string::npos) << r.out;
    for (const std::string& text : std::vector<std::string>{r.out, r.err, slurp(dir.path / "s.json"), slurp(dir.path / "j.xml"),
                                    slurp(dir.path / "s.md")}) {
        EXPECT_EQ(text.find("add-mask"), std::string::npos);
        EXPECT_EQ(text.find(password), std::string::npos);
        EXPECT_EQ(text.find("s3cret"), std::string::npos);
    }
}

TEST(CiReports, JsonReportIsTheLastJsonLine) {
    TempDir dir;
    write_secret_pipeline(dir.path, false);
    auto r = run_hoist({"-o", "json", "--report", "json=" + (dir.path / "s.json").string(), "plan", "--tag", "abc123"},
                   dir.path, secrets_env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto last = split(trim(r.out), '\n').back();
    EXPECT_EQ(slurp(dir.path / "s.json"), last + "\n");
    auto s = nlohmann::json::parse(last);
    EXPECT_EQ(s["event"], "summary");
    EXPECT_EQ(s["tag"], "abc123");
    EXPECT_EQ(s["service"], "web");
    EXPECT_TRUE(s["duration_ms"].is_number());
}

TEST(CiReports, BadReportSpecsAreUsageErrorsBeforeAnythingRuns) {
    TempDir dir;
    write_secret_pipeline(dir.path, false);
    auto kind = run_hoist({"--report", "xml=out.xml", "validate"}, dir.path, secrets_env());
    EXPECT_EQ(kind.exit_code, 2);
    EXPECT_NE(kind.err.find("KIND one of json, junit, markdown"), std::string::npos) << kind.err;
    auto nodir = run_hoist({"--report", "junit=no/such/dir/j.xml", "validate"}, dir.path, secrets_env());
    EXPECT_EQ(nodir.exit_code, 2);
    EXPECT_NE(nodir.err.find("directory no/such/dir does not exist"), std::string::npos) << nodir.err;
    EXPECT_EQ(run_hoist({"--report", "junit=", "validate"}, dir.path, secrets_env()).exit_code, 2);
}

TEST(CiReports, JunitHasAFailedCaseForAFailedHostInTheShapeJenkinsReads) {
    // Two hosts nobody listens on (ports 1 and 2 of this machine): hoist exec fails on both, for real.
    TempDir dir;
    std::ofstream(dir.path / "hoist.yml") << "service: web\nimage: r.example.com/web\n"
                                             "hosts: [127.0.0.1:1, 127.0.0.2:2]\nssh: { connect_timeout: 2s }\n";
    auto xml = dir.path / "hoist-junit.xml";
    auto r = run_hoist({"--report", "junit=" + xml.string(), "exec", "--", "true"}, dir.path);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    std::string x = slurp(xml);
    EXPECT_NE(x.find(R"(<testcase classname="hoist.web.127-0-0-1" name="exec")"), std::string::npos) << x;
    EXPECT_NE(x.find(R"(<failure message="127.0.0.1:1: )"), std::string::npos) << x;
    EXPECT_NE(x.find(R"(tests="2" failures="2" errors="0")"), std::string::npos) << x;
    auto v = run_process({"xmllint", "--noout", "--schema", std::string(HOIST_SOURCE_DIR) + "/tests/unit/report/junit-jenkins.xsd",
                          xml.string()});
    EXPECT_EQ(v.exit_code, 0) << v.err << x;
}
