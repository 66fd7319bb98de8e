// report::Output in each mode: phases, masks, annotations, timestamps, -q.
#include "report/output.hpp"

#include <gtest/gtest.h>

#include <regex>

using namespace hoist;
using namespace hoist::report;

namespace {
/// Captures what an Output writes to its stdout and stderr.
struct Captured {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    ~Captured() {
        std::fclose(out);
        std::fclose(err);
    }
    static std::string read(std::FILE* f) {
        std::rewind(f);
        std::string s;
        char buf[4096];
        while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) s.append(buf, n);
        return s;
    }
    std::string out_text() { return read(out); }
    std::string err_text() { return read(err); }
};
}  // namespace

TEST(Output, GithubPhasesAreGroupsAndErrorsAnnotations) {
    Captured c;
    {
        OutputOptions o;
        o.github = true;
        Output out(o, c.out, c.err);
        out.mask(Secret("hunter2"));
        {
            Phase p(out, "push");
            out.info("pushing r/web:v1");
        }
        out.warning("host key checking is off");
        out.error("push failed");
    }
    EXPECT_EQ(c.err_text(), "::add-mask::hunter2\n::group::push\npushing r/web:v1\n::endgroup::\n"
                            "::warning::host key checking is off\n::error::push failed\n");
    EXPECT_EQ(c.out_text(), "");
}

TEST(Output, SecretsAreNeverWrittenOutsideGithubActions) {
    Captured c;
    {
        Output out(OutputOptions{}, c.out, c.err);
        out.mask(Secret("hunter2"));
        out.annotate(true, "m", "hoist.yml", 1, 1);
    }
    EXPECT_EQ(c.err_text(), "");
    EXPECT_EQ(c.out_text(), "");
}

TEST(Output, HumanPhaseIsAHeaderLineAndQuietShowsOnlyErrors) {
    Captured c;
    {
        Output out(OutputOptions{}, c.out, c.err);
        out.begin_phase("build");
        out.end_phase();
        OutputOptions q;
        q.verbosity = -1;
        Output quiet(q, c.out, c.err);
        quiet.begin_phase("push");
        quiet.info("hidden");
        quiet.warning("hidden too");
        quiet.error("shown");
    }
    EXPECT_EQ(c.err_text(), "==> build\nerror: shown\n");
}

TEST(Output, JsonPhaseEvents) {
    Captured c;
    {
        OutputOptions o;
        o.format = Format::json;
        Output out(o, c.out, c.err);
        out.begin_phase("build");
        out.begin_phase("push");  // ends build
        out.end_phase(true);
    }
    std::vector<nlohmann::json> ev;
    std::string text = c.out_text();
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        ev.push_back(nlohmann::json::parse(text.substr(start, end - start)));
        start = end + 1;
    }
    ASSERT_EQ(ev.size(), 4u) << text;
    EXPECT_EQ(ev[0]["phase"], "build");
    EXPECT_EQ(ev[0]["status"], "started");
    EXPECT_EQ(ev[1]["phase"], "build");
    EXPECT_EQ(ev[1]["status"], "finished");
    EXPECT_TRUE(ev[1]["duration_ms"].is_number());
    EXPECT_EQ(ev[3]["phase"], "push");
    EXPECT_EQ(ev[3]["status"], "failed");
    EXPECT_EQ(c.err_text(), "");  // no header lines in JSON mode
}

TEST(Output, TimestampsPrefixEveryMessageLine) {
    Captured c;
    {
        OutputOptions o;
        o.timestamps = true;
        Output out(o, c.out, c.err);
        out.info("one\ntwo");
        out.error("bad");
        out.result("plan text\n");
    }
    std::regex stamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z )");
    EXPECT_EQ(std::regex_replace(c.err_text(), stamp, "T "), "T one\nT two\nT error: bad\n");
    EXPECT_EQ(c.out_text(), "plan text\n");  // results are not log lines
}
