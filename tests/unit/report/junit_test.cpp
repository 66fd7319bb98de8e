// The JUnit report: exact XML for a failed deploy, and the rules for runs without hosts.
#include "report/junit.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "sample_summary.hpp"
#include "util/process.hpp"
#include "util/text.hpp"

using namespace hoist::report;
using hoist::xml_escape;

TEST(Junit, FailedDeployHasACasePerPhaseHostAndStep) {
    EXPECT_EQ(render_junit(hoist::test::failed_deploy_summary()),
              R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="hoist" tests="7" failures="1" errors="0" time="8.123">
  <testsuite name="hoist deploy web" tests="7" failures="1" errors="0" skipped="0" time="8.123">
    <testcase classname="hoist.web" name="build" time="2.000"/>
    <testcase classname="hoist.web" name="push" time="1.100"/>
    <testcase classname="hoist.web.10-0-1-11" name="start container" time="0.900"/>
    <testcase classname="hoist.web.10-0-1-11" name="health check" time="1.200"/>
    <testcase classname="hoist.web.10-0-1-12" name="deploy" time="0.000"/>
    <testcase classname="hoist.web.10-0-1-13" name="start container" time="0.800"/>
    <testcase classname="hoist.web.10-0-1-13" name="health check" time="59.200">
      <failure message="HTTP 503 &lt;Service Unavailable&gt; for 60 s" type="step">HTTP 503 &lt;Service Unavailable&gt; for 60 s</failure>
    </testcase>
  </testsuite>
</testsuites>
)");
}

TEST(Junit, AHostThatFailedWithoutStepsIsAFailedCase) {
    auto s = nlohmann::json::parse(R"({"command": "exec", "result": "failed", "exit_code": 1, "duration_ms": 1500,
        "hosts": [{"host": "h1", "result": "succeeded", "duration_ms": 20},
                  {"host": "h2", "result": "unreachable", "duration_ms": 1500, "error": "h2:22: connect timed out"}]})");
    std::string x = render_junit(s);
    EXPECT_NE(x.find(R"(<testcase classname="hoist.h1" name="exec" time="0.020"/>)"), std::string::npos) << x;
    EXPECT_NE(x.find(R"(<testcase classname="hoist.h2" name="exec" time="1.500">
      <failure message="h2:22: connect timed out" type="unreachable">)"),
              std::string::npos)
        << x;
    EXPECT_NE(x.find(R"(tests="2" failures="1" errors="0" time="1.500")"), std::string::npos) << x;
}

TEST(Junit, AFailedRunWithoutHostsIsOneFailedCaseWithTheProblems) {
    auto s = nlohmann::json::parse(R"J({"command": "validate", "service": "web", "result": "failed", "exit_code": 2,
        "duration_ms": 3, "error": "hoist.yml: 1 problem found; nothing was touched",
        "problems": ["hoist.yml:3:1: unknown key 'hots' (did you mean 'hosts'?)"]})J");
    EXPECT_EQ(render_junit(s), R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="hoist" tests="1" failures="1" errors="0" time="0.003">
  <testsuite name="hoist validate web" tests="1" failures="1" errors="0" skipped="0" time="0.003">
    <testcase classname="hoist.web" name="validate" time="0.003">
      <failure message="hoist.yml: 1 problem found; nothing was touched" type="failed">hoist.yml: 1 problem found; nothing was touched
hoist.yml:3:1: unknown key &apos;hots&apos; (did you mean &apos;hosts&apos;?)</failure>
    </testcase>
  </testsuite>
</testsuites>
)");
}

TEST(Junit, ASucceededRunWithNothingElseIsOnePassingCase) {
    auto s = nlohmann::json::parse(R"({"command": "plan", "service": "web", "result": "succeeded", "exit_code": 0,
        "duration_ms": 12})");
    EXPECT_NE(render_junit(s).find(R"(<testcase classname="hoist.web" name="plan" time="0.012"/>)"), std::string::npos);
}

TEST(Junit, AFailedPushNamesThePushPhase) {
    // a push that failed after building: the build passed, the run's error is the failure
    auto s = nlohmann::json::parse(R"({"command": "push", "service": "web", "result": "failed", "exit_code": 5,
        "duration_ms": 900, "phases": {"build_ms": 400, "push_ms": 0, "rollout_ms": 0},
        "error": "push of r/web:v1 failed: HTTP 401"})");
    std::string x = render_junit(s);
    EXPECT_NE(x.find(R"(<testcase classname="hoist.web" name="build" time="0.400"/>)"), std::string::npos) << x;
    EXPECT_NE(x.find(R"(<testcase classname="hoist.web" name="push" time="0.900">
      <failure message="push of r/web:v1 failed: HTTP 401" type="failed">)"),
              std::string::npos)
        << x;
}

TEST(Junit, XmlEscaping) {
    EXPECT_EQ(xml_escape("a<b>&\"c'\x01\td"), "a&lt;b&gt;&amp;&quot;c&apos;?\td");
}

TEST(Junit, EveryShapeValidatesAgainstWhatJenkinsReads) {
    // xmllint checks each report against tests/unit/report/junit-jenkins.xsd, and the counts
    // against the testcase elements (a schema cannot say tests="7" means seven testcases)
    auto cases = {hoist::test::failed_deploy_summary(), hoist::test::succeeded_deploy_summary(),
                  nlohmann::json::parse(R"({"command": "validate", "result": "failed", "exit_code": 2})")};
    for (const auto& s : cases) {
        std::string x = render_junit(s);
        char path[] = "/tmp/hoist-junit-XXXXXX";
        int fd = mkstemp(path);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(write(fd, x.data(), x.size()), static_cast<ssize_t>(x.size()));
        close(fd);
        auto r = hoist::run_process({"xmllint", "--noout", "--schema",
                                     std::string(HOIST_SOURCE_DIR) + "/tests/unit/report/junit-jenkins.xsd", path});
        auto count = hoist::run_process({"xmllint", "--xpath", "count(//testcase)", path});
        auto declared = hoist::run_process({"xmllint", "--xpath", "string(/testsuites/@tests)", path});
        auto failed = hoist::run_process({"xmllint", "--xpath", "count(//testcase[failure])", path});
        auto declared_failed = hoist::run_process({"xmllint", "--xpath", "string(/testsuites/@failures)", path});
        std::remove(path);
        EXPECT_EQ(r.exit_code, 0) << r.err << x;
        EXPECT_EQ(count.out, declared.out) << x;
        EXPECT_EQ(failed.out, declared_failed.out) << x;
        EXPECT_NE(count.out, "0");
    }
}

// Remote text (a container's error output) reaches the report; one byte XML cannot hold and
// Jenkins drops the whole file.
TEST(Junit, BytesXmlCannotHoldBecomeQuestionMarks) {
    EXPECT_EQ(xml_escape("ok \xc3\xa9 \xe2\x86\x92 \xf0\x9f\x9a\x80"), "ok \xc3\xa9 \xe2\x86\x92 \xf0\x9f\x9a\x80");
    EXPECT_EQ(xml_escape("a\x1b[31mb\x7f"), "a?[31mb\x7f");
    EXPECT_EQ(xml_escape("\xff\xfe|\xc3|\xc0\xaf|\xed\xa0\x80|\xef\xbf\xbe"), "??|?|??|???|???");
}
