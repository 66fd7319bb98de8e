// launch: converge (deploy/launch.hpp): the user data a launch template version gets, run for real
// with bash against a recording runtime and AWS CLI, and the EC2, Auto Scaling and SSM calls of the
// pre-flight and of the record, against a scripted transport with AWS's answer shapes.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <thread>

#include "../test_support.hpp"
#include "aws/error.hpp"
#include "deploy/launch.hpp"
#include "deploy/plan.hpp"
#include "remote/shell.hpp"
#include "util/base64.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');

config::Pipeline pipeline(const std::string& image = "registry.example.com/acme/web", const std::string& extra = "",
                          const std::string& health = "{path: /up, interval: 200ms, deadline: 20s, healthy_threshold: 2}") {
    auto r = test::load("service: web\nimage: " + image +
                        "\nhosts: [{asg: {name: web-asg, region: eu-west-1, launch: converge, ssm: {DB_PASSWORD: "
                        "/web/prod/db, API_KEY: /web/prod/api}}}]\n"
                        "container: {port: 8080, host_port: 8080, env: {MODE: prod}, secret_env: [DB_PASSWORD, API_KEY],"
                        " volumes: ['/srv/data:/data'], options: ['--memory', '256m']}\n"
                        "healthcheck: " + health + "\n" + extra);
    EXPECT_TRUE(r.ok()) << test::messages(r);
    return r.pipeline;
}

TEST(LaunchUserData, StartsTheReleaseAsTheDeployDoes) {
    auto p = pipeline();
    BootRelease r = boot_release(p, "v2", kDigest, "", "eu-west-1");
    EXPECT_EQ(r.pull_ref, "registry.example.com/acme/web@" + kDigest);
    EXPECT_EQ(r.description(), "hoist: web v2 " + kDigest);
    std::string ud = user_data(r);
    EXPECT_EQ(ud.rfind("#!/bin/bash\n# hoist launch: converge: web v2 " + kDigest + "\n", 0), 0u) << ud;
    // the container is the planner's, started by the same command the engine runs
    auto spec = container_spec(p, "v2", p.image_ref("v2"), "", 8080);
    spec.pull_never = false;
    EXPECT_NE(ud.find(remote::run(spec).render() + " >/dev/null ||"), std::string::npos) << ud;
    EXPECT_NE(ud.find("docker pull --quiet registry.example.com/acme/web@" + kDigest), std::string::npos);
    EXPECT_NE(ud.find("docker tag registry.example.com/acme/web@" + kDigest + " registry.example.com/acme/web:v2"),
              std::string::npos);
    EXPECT_NE(ud.find("secret DB_PASSWORD /web/prod/db\n"), std::string::npos);
    EXPECT_NE(ud.find("aws ssm get-parameter --region eu-west-1"), std::string::npos);
    EXPECT_EQ(ud.find("ecr get-login-password"), std::string::npos) << "not an ECR image";
    EXPECT_EQ(ud, user_data(boot_release(p, "v2", kDigest, "", "eu-west-1"))) << "deterministic";
    auto syntax = run_process({"bash", "-n", "-c", ud});
    EXPECT_EQ(syntax.exit_code, 0) << syntax.err;
}

TEST(LaunchUserData, TooLargeForEc2IsRefusedBeforeTheDeploy) {
    auto p = pipeline();
    EXPECT_NO_THROW(check_user_data_size(p, "v2", "", "eu-west-1"));
    // env values land in the user data (EC2 keeps 16384 bytes of it)
    auto big = pipeline();
    big.container.env["CERT"] = std::string(20000, 'c');
    try {
        check_user_data_size(big, "v2", "", "eu-west-1");
        ADD_FAILURE() << "accepted user data EC2 refuses";
    } catch (const aws::Error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("would be "), std::string::npos) << m;
        EXPECT_NE(m.find("at most 16384"), std::string::npos) << m;
        EXPECT_NE(m.find("secret_env"), std::string::npos) << m;
        auto size = std::stoul(m.substr(m.find("would be ") + 9));
        EXPECT_EQ(size, user_data(boot_release(big, "v2", kDigest, "", "eu-west-1")).size()) << m;
    }
}

TEST(LaunchUserData, EcrLogsInWithTheInstanceRoleInADirectoryOfItsOwn) {
    auto p = pipeline("123456789012.dkr.ecr.eu-central-1.amazonaws.com/web");
    BootRelease r = boot_release(p, "v3", kDigest, "", "eu-west-1");
    EXPECT_EQ(r.ecr_registry, "123456789012.dkr.ecr.eu-central-1.amazonaws.com");
    EXPECT_EQ(r.ecr_region, "eu-central-1");
    std::string ud = user_data(r);
    EXPECT_NE(ud.find("aws ecr get-login-password --region eu-central-1 | docker login --username AWS "
                      "--password-stdin 123456789012.dkr.ecr.eu-central-1.amazonaws.com"),
              std::string::npos)
        << ud;
    EXPECT_NE(ud.find("export DOCKER_CONFIG=\"$auth\""), std::string::npos);
    EXPECT_NE(ud.find("rm -rf \"$auth\""), std::string::npos);
}

TEST(LaunchUserData, BlueGreenStartsTheLiveColour) {
    auto p = pipeline("registry.example.com/acme/web", "strategy: {type: blue_green, ports: {blue: 8081, green: 8082}}\n");
    BootRelease r = boot_release(p, "v2", "", "green", "eu-west-1");
    EXPECT_EQ(r.container.name, "web-green");
    EXPECT_EQ(r.container.host_port, 8082);
    EXPECT_EQ(r.pull_ref, "registry.example.com/acme/web:v2") << "no digest known: the tag";
    EXPECT_NE(user_data(r).find("--label hoist.color=green"), std::string::npos);
}

/// Answers every connection on 127.0.0.1 with `status` until stopped.
class TinyHttp {
public:
    explicit TinyHttp(int status) : m_status(status) {
        m_fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        socklen_t len = sizeof a;
        getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        listen(m_fd, 16);
        m_thread = std::thread([this] {
            while (!m_stop) {
                pollfd pf{m_fd, POLLIN, 0};
                if (poll(&pf, 1, 50) <= 0) continue;
                int c = accept(m_fd, nullptr, nullptr);
                if (c < 0) continue;
                std::string got;  // the whole request head, as a server reads it
                char buf[1024];
                pollfd pc{c, POLLIN, 0};
                while (got.find("\r\n\r\n") == std::string::npos && poll(&pc, 1, 2000) > 0) {
                    auto n = read(c, buf, sizeof buf);
                    if (n <= 0) break;
                    got.append(buf, static_cast<std::size_t>(n));
                }
                std::string answer = "HTTP/1.1 " + std::to_string(m_status) + " X\r\nContent-Length: 0\r\n\r\n";
                (void)!write(c, answer.data(), answer.size());
                close(c);
                ++m_requests;
            }
        });
    }
    ~TinyHttp() {
        m_stop = true;
        m_thread.join();
        close(m_fd);
    }
    int port() const { return m_port; }
    int requests() const { return m_requests; }

private:
    int m_status, m_fd = -1, m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_requests{0};
    std::thread m_thread;
};

/// A `docker` and an `aws` that record what they were asked; `docker run` keeps a copy of its
/// --env-file as it was at that moment.
struct Recorders {
    test::TempDir dir{"hoist-launch"};
    std::string state = "running 0";
    Recorders() {
        dir.write("docker", R"(#!/bin/bash
printf '%s\n' "$*" >> "$REC/docker.log"
case "$1" in
  info|pull|tag|rm) exit 0;;
  image) exit 1;;
  login) cat > "$REC/login-password"; echo "$DOCKER_CONFIG" > "$REC/login-config"; exit 0;;
  inspect) cat "$REC/state"; exit 0;;
  logs) echo "app crashed"; exit 0;;
  run) while [ $# -gt 0 ]; do [ "$1" = --env-file ] && cp "$2" "$REC/env-at-run" && stat -c %a "$2" > "$REC/env-mode"; shift; done; exit 0;;
esac
exit 0
)");
        dir.write("aws", R"(#!/bin/bash
printf '%s\n' "$*" >> "$REC/aws.log"
case "$1 $2" in
  "ssm get-parameter") while [ $# -gt 0 ]; do [ "$1" = --name ] && echo "value-of-$2"; shift; done;;
  "ecr get-login-password") echo "ecr-token-password";;
esac
)");
        run_process({"chmod", "+x", dir.path() + "/docker", dir.path() + "/aws"});
    }
    ProcessResult boot(const std::string& script) {
        dir.write("state", state + "\n");
        ProcessOptions o;
        o.env = {{"PATH", dir.path() + ":/usr/bin:/bin"}, {"REC", dir.path()},
                 {"HOME", dir.path()}, {"HOIST_BOOT_LOG", dir.path() + "/boot.log"}};
        o.timeout = std::chrono::seconds(60);
        return run_process({"bash", "-c", script}, o);
    }
};

TEST(LaunchUserData, RunsThePullTheSecretsTheStartAndTheHealthWait) {
    TinyHttp app(200);
    Recorders rec;
    auto p = pipeline("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web");
    BootRelease r = boot_release(p, "v2", kDigest, "", "eu-west-1");
    r.container.host_port = app.port();
    auto res = rec.boot(user_data(r));
    ASSERT_EQ(res.exit_code, 0) << res.out << res.err << rec.dir.read("boot.log");
    EXPECT_NE(rec.dir.read("boot.log").find("web-v2 is healthy"), std::string::npos) << rec.dir.read("boot.log");
    EXPECT_GE(app.requests(), 2) << "healthy_threshold 2";
    // the secrets, read with the instance's role at boot, in a 0600 file that is gone afterwards
    EXPECT_EQ(rec.dir.read("env-at-run"), "DB_PASSWORD=value-of-/web/prod/db\nAPI_KEY=value-of-/web/prod/api\n");
    EXPECT_EQ(rec.dir.read("env-mode"), "600\n");
    EXPECT_FALSE(std::filesystem::exists(rec.dir.path() + "/" + remote::env_file_path("web", "web-v2")));
    // ECR: the token on stdin, in a login directory removed after the pull
    EXPECT_EQ(rec.dir.read("login-password"), "ecr-token-password\n");
    std::string config_dir = trim(rec.dir.read("login-config"));
    EXPECT_FALSE(config_dir.empty());
    EXPECT_FALSE(std::filesystem::exists(config_dir));
    // pulled by digest, tagged, started with exactly the engine's command
    auto spec = container_spec(p, "v2", p.image_ref("v2"), "", app.port());
    spec.pull_never = false;
    std::string docker = rec.dir.read("docker.log");
    auto argv = remote::run(spec).argv;
    std::string run_args = join(std::vector<std::string>(argv.begin() + 1, argv.end()), " ");
    EXPECT_NE(docker.find("pull --quiet 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@" + kDigest), std::string::npos)
        << docker;
    EXPECT_NE(docker.find("\n" + run_args + "\n"), std::string::npos) << docker << "\nwant: " << run_args;
    EXPECT_LT(docker.find("pull --quiet"), docker.find("\nrun "));
    EXPECT_NE(rec.dir.read("aws.log").find("ssm get-parameter --region eu-west-1 --name /web/prod/db --with-decryption"),
              std::string::npos);
}

TEST(LaunchUserData, AContainerThatDiesFailsTheBootWithItsLogs) {
    TinyHttp app(503);
    Recorders rec;
    rec.state = "exited 0";
    auto p = pipeline();
    BootRelease r = boot_release(p, "v2", kDigest, "", "eu-west-1");
    r.container.host_port = app.port();
    auto res = rec.boot(user_data(r));
    EXPECT_EQ(res.exit_code, 1);
    std::string log = rec.dir.read("boot.log");
    EXPECT_NE(log.find("FAILED: web-v2 is exited 0"), std::string::npos) << log;
    EXPECT_NE(log.find("app crashed"), std::string::npos) << log;
}

TEST(LaunchUserData, NeverHealthyFailsAtTheDeadline) {
    TinyHttp app(503);
    Recorders rec;
    auto p = pipeline("registry.example.com/acme/web", "", "{path: /up, interval: 100ms, deadline: 1s}");
    BootRelease r = boot_release(p, "v2", kDigest, "", "eu-west-1");
    r.container.host_port = app.port();
    auto res = rec.boot(user_data(r));
    EXPECT_EQ(res.exit_code, 1);
    EXPECT_NE(rec.dir.read("boot.log").find("FAILED: web-v2 not healthy within 1s (last answer: 503)"),
              std::string::npos)
        << rec.dir.read("boot.log");
}

// --- the AWS calls ---

http::Response answer(long status, std::string body) {
    http::Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

struct Scripted {
    std::deque<http::Response> answers;
    std::vector<http::Request> sent;
    LaunchOptions options() {
        LaunchOptions o;
        o.chain.env = [](const std::string& n) -> std::optional<std::string> {
            if (n == "AWS_ACCESS_KEY_ID") return std::string("AKIDEXAMPLE");
            if (n == "AWS_SECRET_ACCESS_KEY") return std::string("secret");
            if (n == "AWS_ENDPOINT_URL") return std::string("http://10.0.0.1:4566");
            return std::nullopt;
        };
        o.query.transport = [this](http::Request r) {
            sent.push_back(r);
            if (answers.empty()) return answer(500, "no answer scripted");
            auto a = answers.front();
            answers.pop_front();
            return a;
        };
        o.query.sleep = [](std::chrono::milliseconds) {};
        return o;
    }
    std::string body(std::size_t i) const { return i < sent.size() ? sent[i].body : ""; }
};

std::string group(const std::string& template_xml) {
    return "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult><AutoScalingGroups><member>"
           "<AutoScalingGroupName>web-asg</AutoScalingGroupName>" +
           template_xml + "<Instances/></member></AutoScalingGroups></DescribeAutoScalingGroupsResult>"
                          "</DescribeAutoScalingGroupsResponse>";
}
std::string lt(const std::string& version) {
    return "<LaunchTemplate><LaunchTemplateId>lt-0abc</LaunchTemplateId><LaunchTemplateName>web</LaunchTemplateName>"
           "<Version>" + version + "</Version></LaunchTemplate>";
}
std::string version_item(long long n, const std::string& desc, bool is_default, const std::string& user_data = "") {
    return "<item><launchTemplateId>lt-0abc</launchTemplateId><launchTemplateName>web</launchTemplateName>"
           "<versionNumber>" + std::to_string(n) + "</versionNumber><versionDescription>" + desc +
           "</versionDescription><defaultVersion>" + (is_default ? "true" : "false") +
           "</defaultVersion><launchTemplateData>" +
           (user_data.empty() ? "" : "<userData>" + user_data + "</userData>") + "</launchTemplateData></item>";
}
std::string versions(const std::string& items) {
    return "<DescribeLaunchTemplateVersionsResponse><launchTemplateVersionSet>" + items +
           "</launchTemplateVersionSet></DescribeLaunchTemplateVersionsResponse>";
}

TEST(LaunchCheck, RefusesWhatWouldNeverLaunchHoistsVersions) {
    auto p = pipeline();
    Scripted s;
    s.answers = {answer(200, group("<LaunchConfigurationName>web-lc</LaunchConfigurationName>"))};
    try {
        check_launch(p, s.options());
        ADD_FAILURE() << "a launch configuration was accepted";
    } catch (const aws::Error& e) {
        EXPECT_NE(std::string(e.what()).find("launches from launch configuration 'web-lc'"), std::string::npos) << e.what();
    }
    Scripted pinned;
    pinned.answers = {answer(200, group(lt("3")))};
    try {
        check_launch(p, pinned.options());
        ADD_FAILURE() << "a pinned version was accepted";
    } catch (const aws::Error& e) {
        EXPECT_NE(std::string(e.what()).find("launches version 3 of launch template lt-0abc; hoist's new versions "
                                             "would never be launched"),
                  std::string::npos)
            << e.what();
    }
}

TEST(LaunchCheck, FindsTheTemplateAndEverySsmParameter) {
    auto p = pipeline();
    Scripted s;
    s.answers = {answer(200, group(lt("$Latest"))),
                 answer(200, versions(version_item(4, "by a person", true, base64_encode("#!/bin/sh\necho hi\n")))),
                 answer(200, R"({"Parameters":[{"Name":"/web/prod/db","Type":"SecureString","Value":"AQIC..."},
                                               {"Name":"/web/prod/api","Type":"String","Value":"x"}],"InvalidParameters":[]})")};
    auto t = check_launch(p, s.options());
    EXPECT_EQ(t.template_id, "lt-0abc");
    EXPECT_EQ(t.group_version, "$Latest");
    EXPECT_EQ(t.source_version, 4);
    ASSERT_EQ(s.sent.size(), 3u);
    EXPECT_NE(s.body(1).find("LaunchTemplateVersion.1=%24Latest"), std::string::npos) << s.body(1);
    // never a decrypted value
    EXPECT_EQ(s.body(2), R"({"Names":["/web/prod/api","/web/prod/db"],"WithDecryption":false})");
    ASSERT_EQ(t.warnings.size(), 2u);
    EXPECT_NE(t.warnings[0].find("has user data hoist did not write"), std::string::npos);
    EXPECT_NE(t.warnings[1].find("/web/prod/api is a String, not a SecureString"), std::string::npos);

    Scripted missing;
    missing.answers = {answer(200, group(lt("$Default"))), answer(200, versions(version_item(1, "", true))),
                       answer(200, R"({"Parameters":[],"InvalidParameters":["/web/prod/api","/web/prod/db"]})")};
    try {
        check_launch(p, missing.options());
        ADD_FAILURE() << "missing parameters were accepted";
    } catch (const aws::Error& e) {
        EXPECT_NE(std::string(e.what()).find("has no parameter /web/prod/api, /web/prod/db"), std::string::npos)
            << e.what();
    }
}

TEST(LaunchRecord, WritesAVersionMakesItTheDefaultAndPrunesHoistsOldOnes) {
    auto p = pipeline();
    BootRelease r = boot_release(p, "v9", kDigest, "", "eu-west-1");
    LaunchTarget t{"web-asg", "eu-west-1", "lt-0abc", "web", "$Default", 8, "", {}};
    Scripted s;
    std::string created = "<CreateLaunchTemplateVersionResponse><launchTemplateVersion><launchTemplateId>lt-0abc"
                          "</launchTemplateId><versionNumber>9</versionNumber><versionDescription>x</versionDescription>"
                          "</launchTemplateVersion></CreateLaunchTemplateVersionResponse>";
    std::string all = versions(version_item(1, "by a person", false) + version_item(2, "hoist: web v1", false) +
                               version_item(3, "hoist: web v2", false) + version_item(4, "hoist: web v3", false) +
                               version_item(5, "hoist: web v4", false) + version_item(6, "hoist: web v5", false) +
                               version_item(7, "hoist: web v6", false) + version_item(8, "hoist: web v7", false) +
                               version_item(9, "hoist: web v9", true));
    s.answers = {answer(200, versions(version_item(8, "hoist: web v7", true, base64_encode("old")))), answer(200, created),
                 answer(200, "<ModifyLaunchTemplateResponse/>"), answer(200, all),
                 answer(200, "<DeleteLaunchTemplateVersionsResponse><successfullyDeletedLaunchTemplateVersionSet>"
                             "<item><versionNumber>2</versionNumber></item><item><versionNumber>3</versionNumber></item>"
                             "</successfullyDeletedLaunchTemplateVersionSet><unsuccessfullyDeletedLaunchTemplateVersionSet>"
                             "<item><versionNumber>4</versionNumber><responseError><code>unexpectedError</code>"
                             "<message>busy</message></responseError></item>"
                             "</unsuccessfullyDeletedLaunchTemplateVersionSet></DeleteLaunchTemplateVersionsResponse>")};
    auto rec = record_launch(t, r, s.options());
    EXPECT_TRUE(rec.created);
    EXPECT_EQ(rec.version, 9);
    ASSERT_EQ(s.sent.size(), 5u);
    EXPECT_NE(s.body(1).find("Action=CreateLaunchTemplateVersion"), std::string::npos);
    EXPECT_NE(s.body(1).find("SourceVersion=8"), std::string::npos) << s.body(1);
    EXPECT_NE(s.body(1).find("VersionDescription=hoist%3A%20web%20v9%20sha256%3A"), std::string::npos) << s.body(1);
    EXPECT_NE(s.body(2).find("Action=ModifyLaunchTemplate"), std::string::npos);
    EXPECT_NE(s.body(2).find("SetDefaultVersion=9"), std::string::npos);
    // the newest 5 of hoist's (9, 8, 7, 6, 5) stay, and the person's version 1
    EXPECT_NE(s.body(4).find("LaunchTemplateVersion.1=4&LaunchTemplateVersion.2=3&LaunchTemplateVersion.3=2"),
              std::string::npos)
        << s.body(4);
    EXPECT_EQ(s.body(4).find("LaunchTemplateVersion.4"), std::string::npos) << s.body(4);
    EXPECT_EQ(rec.pruned, (std::vector<long long>{2, 3}));
    ASSERT_EQ(rec.warnings.size(), 1u);
    EXPECT_NE(rec.warnings[0].find("version 4 was not deleted: unexpectedError: busy"), std::string::npos);
}

TEST(LaunchRecord, TheSameReleaseWritesNothing) {
    auto p = pipeline();
    BootRelease r = boot_release(p, "v9", kDigest, "", "eu-west-1");
    LaunchTarget t{"web-asg", "eu-west-1", "lt-0abc", "web", "$Latest", 9, "", {}};
    Scripted s;
    s.answers = {answer(200, versions(version_item(9, "hoist: web v9", false, base64_encode(user_data(r)))))};
    auto rec = record_launch(t, r, s.options());
    EXPECT_FALSE(rec.created);
    EXPECT_EQ(rec.version, 9);
    EXPECT_EQ(s.sent.size(), 1u);
}

}  // namespace
}  // namespace hoist::deploy
