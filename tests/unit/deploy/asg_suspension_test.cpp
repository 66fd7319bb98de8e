// Suspending an Auto Scaling group's processes around a rollout, with a scripted transport and a
// temporary state directory: what is suspended (not what a person had suspended), the record a
// killed hoist leaves, and the next command resuming what that record names.
#include <gtest/gtest.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>

#include "../test_support.hpp"
#include "aws/asg.hpp"
#include "aws/error.hpp"
#include "deploy/asg_suspension.hpp"

namespace hoist::deploy {
namespace {

namespace fs = std::filesystem;

http::Response answer(long status, std::string body) {
    http::Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

std::string group_page(const std::vector<std::string>& suspended) {
    std::string s;
    for (const auto& p : suspended) s += "<member><ProcessName>" + p + "</ProcessName></member>";
    return "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult><AutoScalingGroups><member>"
           "<AutoScalingGroupName>web-asg</AutoScalingGroupName><Instances/><SuspendedProcesses>" +
           s +
           "</SuspendedProcesses></member></AutoScalingGroups></DescribeAutoScalingGroupsResult>"
           "</DescribeAutoScalingGroupsResponse>";
}
const char* kOk =
    "<SuspendProcessesResponse><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></"
    "SuspendProcessesResponse>";

struct Rig {
    std::deque<http::Response> answers;
    std::vector<std::string> calls;  ///< request bodies
    std::string dir;
    std::FILE* sink = std::tmpfile();
    report::Output out{report::OutputOptions{}, sink, sink};
    config::Pipeline p;

    Rig() {
        char tmpl[] = "/tmp/hoist-asg-unit-XXXXXX";
        dir = mkdtemp(tmpl);
        auto r = test::load(
            "service: web\nimage: r.example.com/web\nhosts: [{ asg: { name: web-asg, region: eu-west-1 } "
            "}]\n");
        EXPECT_TRUE(r.ok()) << test::messages(r);
        p = r.pipeline;
    }
    ~Rig() {
        std::fclose(sink);
        fs::remove_all(dir);
    }
    AsgOptions options() {
        AsgOptions o;
        o.dir = dir;
        o.chain.env = [](const std::string& n) -> std::optional<std::string> {
            if (n == "AWS_ACCESS_KEY_ID") return std::string("AKIDEXAMPLE");
            if (n == "AWS_SECRET_ACCESS_KEY") return std::string("secret");
            if (n == "AWS_ENDPOINT_URL") return std::string("http://10.0.0.1:4566");
            return std::nullopt;
        };
        o.query.transport = [this](http::Request r) {
            calls.push_back(r.body);
            auto a = answers.front();
            answers.pop_front();
            return a;
        };
        o.query.sleep = [](std::chrono::milliseconds) {};
        return o;
    }
    std::string record() const { return record_path(dir, "eu-west-1", "web-asg"); }
    std::string text() {
        std::fflush(sink);
        std::rewind(sink);
        std::string t;
        char buf[4096];
        while (std::size_t n = std::fread(buf, 1, sizeof buf, sink)) t.append(buf, n);
        return t;
    }
};

const std::string kSuspendAll =
    "Action=SuspendProcesses&Version=2011-01-01&AutoScalingGroupName=web-asg&ScalingProcesses.member.1="
    "Launch&"
    "ScalingProcesses.member.2=Terminate&ScalingProcesses.member.3=AZRebalance&ScalingProcesses.member.4="
    "ReplaceUnhealthy";

TEST(AsgSuspension, SuspendsRecordsAndResumes) {
    Rig r;
    r.answers = {answer(200, group_page({})), answer(200, kOk), answer(200, kOk)};
    {
        AsgSuspension s(r.p, r.out, r.options());
        ASSERT_EQ(r.calls.size(), 2u);
        EXPECT_EQ(r.calls[1], kSuspendAll);
        auto rec = parse_record([&] {
            std::ifstream in(r.record());
            return std::string(std::istreambuf_iterator<char>(in), {});
        }());
        ASSERT_TRUE(rec);
        EXPECT_EQ(rec->pid, static_cast<long>(::getpid()));
        EXPECT_TRUE(record_owner_alive(*rec));
        EXPECT_EQ(rec->processes, aws::rollout_processes());
        s.resume();
        EXPECT_FALSE(fs::exists(r.record()));
    }
    ASSERT_EQ(r.calls.size(), 3u);  // the destructor does not resume twice
    EXPECT_EQ(r.calls[2].rfind("Action=ResumeProcesses&Version=2011-01-01&AutoScalingGroupName=web-asg&"
                               "ScalingProcesses.member.1=Launch&",
                               0),
              0u);
    EXPECT_NE(r.text().find("Auto Scaling group web-asg (eu-west-1): resumed Launch, Terminate, AZRebalance, "
                            "ReplaceUnhealthy"),
              std::string::npos);
}

TEST(AsgSuspension, WhatAPersonSuspendedStaysSuspended) {
    Rig r;
    r.answers = {answer(200, group_page({"AZRebalance", "AlarmNotification"})), answer(200, kOk),
                 answer(200, kOk)};
    { AsgSuspension s(r.p, r.out, r.options()); }  // an exception path: the destructor resumes
    ASSERT_EQ(r.calls.size(), 3u);
    EXPECT_EQ(r.calls[1],
              "Action=SuspendProcesses&Version=2011-01-01&AutoScalingGroupName=web-asg&"
              "ScalingProcesses.member.1=Launch&ScalingProcesses.member.2=Terminate&"
              "ScalingProcesses.member.3=ReplaceUnhealthy");
    EXPECT_EQ(r.calls[2],
              "Action=ResumeProcesses&Version=2011-01-01&AutoScalingGroupName=web-asg&"
              "ScalingProcesses.member.1=Launch&ScalingProcesses.member.2=Terminate&"
              "ScalingProcesses.member.3=ReplaceUnhealthy");
    EXPECT_NE(r.text().find("(AZRebalance already suspended, not by hoist: left so)"), std::string::npos)
        << r.text();
}

TEST(AsgSuspension, AFailedSuspendLeavesNoRecord) {
    Rig r;
    r.answers = {answer(200, group_page({})), answer(400,
                                                     "<ErrorResponse><Error><Code>ValidationError</"
                                                     "Code><Message>no</Message></Error></ErrorResponse>")};
    EXPECT_THROW(AsgSuspension(r.p, r.out, r.options()), aws::Error);
    EXPECT_FALSE(fs::exists(r.record()));
}

TEST(AsgSuspension, AFailedResumeKeepsTheRecordAndWarns) {
    Rig r;
    r.answers = {answer(200, group_page({})), answer(200, kOk),
                 answer(400,
                        "<ErrorResponse><Error><Code>ValidationError</Code><Message>no</Message></Error></"
                        "ErrorResponse>")};
    { AsgSuspension s(r.p, r.out, r.options()); }
    EXPECT_TRUE(fs::exists(r.record()));
    EXPECT_NE(r.text().find("could not resume Launch, Terminate, AZRebalance, ReplaceUnhealthy"),
              std::string::npos)
        << r.text();
}

SuspensionRecord dead_record() {
    SuspensionRecord rec;
    rec.group = "web-asg";
    rec.region = "eu-west-1";
    rec.service = "web";
    rec.processes = {"Launch", "Terminate"};
    rec.pid = static_cast<long>(::getpid());
    rec.pid_start = process_start(rec.pid) + 1;  // this pid, but another process
    return rec;
}

TEST(AsgSuspension, TheNextCommandResumesWhatAKilledHoistLeft) {
    Rig r;
    fs::create_directories(r.dir);
    std::ofstream(r.record()) << record_json(dead_record());
    r.answers = {answer(200, kOk)};
    EXPECT_TRUE(resume_leftover(r.p, r.out, false, r.options()));  // plan: says so, changes nothing
    EXPECT_TRUE(r.calls.empty());
    EXPECT_TRUE(fs::exists(r.record()));
    EXPECT_TRUE(resume_leftover(r.p, r.out, true, r.options()));
    ASSERT_EQ(r.calls.size(), 1u);
    EXPECT_EQ(r.calls[0],
              "Action=ResumeProcesses&Version=2011-01-01&AutoScalingGroupName=web-asg&"
              "ScalingProcesses.member.1=Launch&ScalingProcesses.member.2=Terminate");
    EXPECT_FALSE(fs::exists(r.record()));
    std::string t = r.text();
    EXPECT_NE(t.find("Auto Scaling group web-asg (eu-west-1): a hoist deploy that did not end (pid " +
                     std::to_string(::getpid()) + ") left Launch, Terminate suspended; resumed them"),
              std::string::npos)
        << t;
    EXPECT_FALSE(resume_leftover(r.p, r.out, true, r.options()));  // nothing left
}

TEST(AsgSuspension, ARunningHoistsRecordIsLeftAlone) {
    Rig r;
    fs::create_directories(r.dir);
    auto rec = dead_record();
    rec.pid_start = process_start(rec.pid);
    std::ofstream(r.record()) << record_json(rec);
    EXPECT_FALSE(resume_leftover(r.p, r.out, true, r.options()));
    EXPECT_TRUE(r.calls.empty());
    EXPECT_TRUE(fs::exists(r.record()));
}

TEST(AsgSuspension, RecordsNameOnlyTheRolloutProcesses) {
    auto rec = dead_record();
    EXPECT_TRUE(parse_record(record_json(rec)));
    rec.processes = {"Launch", "AlarmNotification"};
    EXPECT_FALSE(parse_record(record_json(rec)));
    EXPECT_FALSE(parse_record("{\"group\": 1}"));
    EXPECT_FALSE(parse_record("not json"));
    EXPECT_EQ(record_path("/d", "eu-west-1", "web/asg:1"), "/d/eu-west-1--web%2Fasg%3A1.json");
}

}  // namespace
}  // namespace hoist::deploy
