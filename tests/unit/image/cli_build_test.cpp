// `hoist build` end to end through the binary (FROM scratch, no network): per-step JSON events,
// the built digest, exit 5 with a located message for an unsupported instruction.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "build_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

using namespace hoist;
using hoist::test::TempDir;
using hoist::test::write_file;

namespace {
ProcessResult hoist_build(const std::string& dir) {
    ProcessOptions o;
    o.cwd = dir;
    o.env["XDG_CACHE_HOME"] = dir + "/cache";
    o.env["GITHUB_ACTIONS"] = "";  // the suite may itself run as a GitHub Actions step
    o.env["SOURCE_DATE_EPOCH"] = "1700000000";
    return run_process({HOIST_BINARY, "-o", "json", "build"}, o);
}
std::vector<nlohmann::json> events(const std::string& out) {
    std::vector<nlohmann::json> v;
    for (auto& l : split(out, '\n'))
        if (!trim(l).empty()) v.push_back(nlohmann::json::parse(l));
    return v;
}
}  // namespace

TEST(CliBuild, JsonEventsAndSummary) {
    TempDir dir;
    write_file(dir.path() + "/hoist.yml", "service: web\nimage: registry.test/acme/web\ntag: v1\nbuild: { context: app }\nhosts: [10.0.0.1]\n");
    write_file(dir.path() + "/app/Dockerfile", "FROM scratch\nCOPY index.html /www/\nCMD [\"/bin/httpd\"]\n");
    write_file(dir.path() + "/app/index.html", "hi\n");
    auto r = hoist_build(dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto ev = events(r.out);
    ASSERT_GE(ev.size(), 5u);
    EXPECT_EQ(ev[0]["event"], "build_started");
    EXPECT_EQ(ev[1]["event"], "phase");
    EXPECT_EQ(ev[1]["phase"], "build");
    EXPECT_EQ(ev[1]["status"], "started");
    std::vector<nlohmann::json> steps;
    for (auto& e : ev)
        if (e["event"] == "build_step") steps.push_back(e);
    ASSERT_EQ(steps.size(), 3u);
    EXPECT_EQ(steps[1]["instruction"], "COPY index.html /www/");
    EXPECT_EQ(steps[1]["outcome"], "built");
    EXPECT_EQ(steps[1]["line"], 2);
    EXPECT_EQ(ev.back()["event"], "summary");
    EXPECT_EQ(ev.back()["result"], "succeeded");
    EXPECT_EQ(ev.back()["image"], "registry.test/acme/web:v1");
    oci::ImageStore store(dir.path() + "/cache/hoist");
    auto tagged = store.resolve("registry.test/acme/web:v1");
    ASSERT_TRUE(tagged);
    EXPECT_EQ(tagged->digest.str(), ev.back()["digest"]);
    auto m = oci::parse_manifest(store.read_blob(tagged->digest), "m");
    auto config = nlohmann::json::parse(store.read_blob(m.config.digest));
    EXPECT_EQ(config["created"], "2023-11-14T22:13:20Z");  // from SOURCE_DATE_EPOCH
}

TEST(CliBuild, UnsupportedInstructionExitsFiveWithLocation) {
    TempDir dir;
    write_file(dir.path() + "/hoist.yml", "service: web\nimage: registry.test/acme/web\ntag: v1\nbuild: { context: . }\nhosts: [10.0.0.1]\n");
    write_file(dir.path() + "/Dockerfile", "FROM scratch\n# comment\nRUN make\n");
    auto r = hoist_build(dir.path());
    EXPECT_EQ(r.exit_code, 5);
    EXPECT_NE(r.err.find("Dockerfile:3: RUN needs a container; use `builder: docker`"), std::string::npos) << r.err;
    EXPECT_EQ(events(r.out).back()["exit_code"], 5);
}
