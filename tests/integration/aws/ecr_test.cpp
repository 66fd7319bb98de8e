// ECR without credentials in the file: hoist asks the local endpoint (tests/fleet/fake-aws) for an
// authorization token, pushes with it and every host pulls with it, and a registry that accepts
// exactly that token (htpasswd AWS:<the fake's random password>) proves the round trip.
//
// The image keeps its real ECR name, 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app, served over
// TLS on port 443 as ECR is. The name reaches the test registry through /etc/hosts, and its
// self-signed CA is trusted the way a machine trusts one, only inside private mount namespaces:
// hoist runs under `unshare -m` with /etc/hosts and the system CA bundle bind-mounted, and each
// fleet host (whose sshd and dockerd already have a mount namespace of their own) gets the same
// /etc/hosts and an /etc/docker with certs.d/<name>/ca.crt. Nothing machine-wide changes, hoist
// needs no test-only switch, and the hosts' dockerd pulls by the real name with TLS verified.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../deploy/cmdlines.hpp"
#include "../deploy/deploy_fixture.hpp"
#include "aws/launch_template.hpp"
#include "aws_fixture.hpp"
#include "util/base64.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::aws::itest {
namespace {

namespace fs = std::filesystem;

const std::string kEcrHost = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

std::string run_ok(const std::vector<std::string>& argv, const std::string& what) {
    ProcessOptions o;
    o.timeout = std::chrono::seconds(60);
    auto r = run_process(argv, o);
    EXPECT_EQ(r.exit_code, 0) << what << ": " << r.out << r.err;
    return r.out;
}

class EcrTest : public dtest::DeployTest {
  protected:
    void SetUp() override {
        DeployTest::SetUp();
        if (HasFatalFailure()) return;
        nlohmann::json seed = base_seed();
        seed["ecr"] = {{"regions", {"eu-west-1"}},
                       {"disabled_regions", {"ap-east-1"}},
                       {"denied_keys", {"AKIAHOISTDENIED00001"}}};
        seed["credentials"].push_back(
            {{"access_key_id", "AKIAHOISTDENIED00001"}, {"secret_access_key", kSecret}});
        // an Auto Scaling group of the fleet's hosts whose last one is being launched (launch: converge)
        nlohmann::json instances = nlohmann::json::array(), members = nlohmann::json::array();
        for (std::size_t i = 0; i < m_hosts.size(); ++i) {
            std::string id = "i-0ec700000000000" + std::to_string(i + 1);
            instances.push_back({{"id", id}, {"state", "running"}, {"private_ip", m_hosts[i]}});
            members.push_back({{"id", id}, {"lifecycle_state", i + 1 == m_hosts.size() ? "Pending" : "InService"}});
        }
        seed["instances"] = instances;
        seed["auto_scaling_groups"] = {{{"name", "web-asg"}, {"instances", members},
                                        {"launch_template", {{"id", "lt-0ec70000000000001"}, {"name", "web"},
                                                             {"version", "$Default"}}}}};
        seed["launch_templates"] = {{{"id", "lt-0ec70000000000001"}, {"name", "web"},
                                     {"versions", {{{"number", 1}, {"description", "base"}}}}, {"default", 1}}};
        m_upstream = read(m_fleet["lb"]["nginx"]["config_path_local"].get<std::string>());
        m_fake = std::make_unique<FakeAws>("ecr", seed, false, false);
        m_password = read(m_fleet["dir"].get<std::string>() + "/fake-aws-ecr/ecr-password");
        ASSERT_GE(m_password.size(), 32u);
    }
    void TearDown() override {
        for (const auto& pid : m_mounted)
            run_process(
                {"nsenter", "-t", pid, "-m", "--", "sh", "-c", "umount /etc/docker; umount /etc/hosts"});
        if (m_registry) {
            m_registry->signal(SIGTERM);
            m_registry->wait(std::chrono::seconds(10));
        }
        // the deploys changed nginx's pool, not the endpoint (which checks that it left it as it found it)
        if (m_fake)
            std::ofstream(m_fleet["lb"]["nginx"]["config_path_local"].get<std::string>()) << m_upstream;
        m_fake.reset();
        DeployTest::TearDown();
    }

    /// The TLS registry for kEcrHost on the fleet's bridge address, port 443, accepting only
    /// AWS:<the fake's password>; hosts and CA set up for the fleet's hosts and for hoist.
    void ecr_registry() {
        std::string d = m_dir + "/ecr", bridge = m_fleet["bridge_address"].get<std::string>();
        fs::create_directories(d + "/storage");
        run_ok({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-days", "1", "-subj", "/CN=" + kEcrHost, "-addext", "subjectAltName=DNS:" + kEcrHost,
                "-keyout", d + "/tls.key", "-out", d + "/tls.crt"},
               "openssl");
        run_ok(
            {"python3", "-W", "ignore", "-c",
             "import crypt,sys; open(sys.argv[1],'w').write('AWS:' + crypt.crypt(open(sys.argv[2]).read(), "
             "crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1<<5)) + '\\n')",
             d + "/htpasswd", m_fleet["dir"].get<std::string>() + "/fake-aws-ecr/ecr-password"},
            "htpasswd");
        std::ofstream(d + "/config.yml")
            << "version: 0.1\nlog: {level: warn, accesslog: {disabled: true}}\n"
               "storage: {filesystem: {rootdirectory: "
            << d
            << "/storage}}\n"
               "http: {addr: '"
            << bridge << ":443', secret: ecr-test, tls: {certificate: " << d << "/tls.crt, key: " << d
            << "/tls.key}}\n"
               "auth: {htpasswd: {realm: ecr-test, path: "
            << d << "/htpasswd}}\n";
        m_registry = std::make_unique<dtest::Spawned>(
            std::vector<std::string>{"/usr/bin/docker-registry", "serve", d + "/config.yml"}, d,
            d + "/registry.out", d + "/registry.err");
        std::ofstream(d + "/hosts") << "127.0.0.1 localhost\n" << bridge << " " << kEcrHost << "\n";
        std::ofstream(d + "/ca-bundle.crt")
            << read("/etc/ssl/certs/ca-certificates.crt") << read(d + "/tls.crt");
        // the registry answers only with the token: anonymous and a wrong password get 401
        std::string url = "https://" + kEcrHost + "/v2/";
        std::vector<std::string> curl = {
            "curl",       "-s", "-o",       "/dev/null",    "-w",        "%{http_code}",
            "--max-time", "5",  "--cacert", d + "/tls.crt", "--resolve", kEcrHost + ":443:" + bridge};
        std::string code;
        for (int i = 0; i < 100 && code != "401"; ++i) {
            auto a = curl;
            a.push_back(url);
            code = run_process(a).out;
            if (code != "401") std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ASSERT_EQ(code, "401") << read(d + "/registry.err");
        std::ofstream(d + "/wrong.netrc") << "machine " << kEcrHost << " login AWS password not-the-token\n";
        std::ofstream(d + "/right.netrc")
            << "machine " << kEcrHost << " login AWS password " << m_password << "\n";
        for (const auto& [netrc, want] : {std::pair{"wrong", "401"}, std::pair{"right", "200"}}) {
            auto a = curl;
            a.insert(a.end(), {"--netrc-file", d + "/" + netrc + ".netrc", url});
            EXPECT_EQ(run_process(a).out, want) << netrc;
        }
        fs::remove(d + "/right.netrc");
        // the fleet's hosts: the name and the CA, in their own mount namespaces only
        fs::create_directories(d + "/etc-docker/certs.d/" + kEcrHost);
        run_ok({"cp", "-a", "/etc/docker/.", d + "/etc-docker/"}, "cp /etc/docker");
        fs::copy_file(d + "/tls.crt", d + "/etc-docker/certs.d/" + kEcrHost + "/ca.crt");
        for (const auto& h : m_fleet["hosts"]) {
            std::string pid = trim(read(h["docker_pid_file"].get<std::string>()));
            run_ok(
                {"nsenter", "-t", pid, "-m", "--", "sh", "-c",
                 "mount --bind " + d + "/hosts /etc/hosts && mount --bind " + d + "/etc-docker /etc/docker"},
                "mounts on " + h["name"].get<std::string>());
            m_mounted.push_back(pid);
            run_process({"docker", "-H", h["docker_host"].get<std::string>(), "rmi", "-f",
                         kEcrHost + "/app:v1", kEcrHost + "/app:v2"});
        }
    }

    /// The fleet pipeline with the ECR image and no registry settings.
    void ecr_pipeline() {
        std::string path = pipeline("");
        std::string text = read(path);
        text.replace(text.find(m_image), m_image.size(), kEcrHost + "/app");
        const std::string insecure = "registry: { insecure: true }\n";
        text.replace(text.find(insecure), insecure.size(), "");
        std::ofstream(path) << text;
    }

    std::map<std::string, std::string> env(const std::string& key_id = kKeyId) const {
        return {{"AWS_ENDPOINT_URL_ECR", m_fake->endpoint()},
                {"AWS_ACCESS_KEY_ID", key_id},
                {"AWS_SECRET_ACCESS_KEY", kSecret},
                {"AWS_SESSION_TOKEN", ""},
                {"AWS_PROFILE", ""},
                {"AWS_EC2_METADATA_DISABLED", "true"},
                {"HOME", m_dir},
                {"DOCKER_CONFIG", m_dir + "/no-docker-config"},
                {"NO_COLOR", "1"}};
    }

    /// hoist in a private mount namespace that resolves kEcrHost and trusts its CA.
    dtest::HoistRun hoist_ecr(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& e) {
        std::string d = m_dir + "/ecr";
        std::vector<std::string> argv = {
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount --bind " + d + "/hosts /etc/hosts && mount --bind " + d +
                "/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt && exec \"$0\" \"$@\"",
            HOIST_BINARY};
        argv.insert(argv.end(), args.begin(), args.end());
        ProcessOptions o;
        o.cwd = m_dir;
        o.env = e;
        o.timeout = std::chrono::minutes(3);
        auto r = run_process(argv, o);
        return {r.exit_code, r.out, r.err};
    }

    int tokens_issued() const {
        int n = 0;
        for (const auto& line : split(m_fake->log(), '\n'))
            if (line.find("ecr GetAuthorizationToken eu-west-1 -> 200") != std::string::npos) ++n;
        return n;
    }

    std::unique_ptr<FakeAws> m_fake;
    std::string m_upstream;
    std::unique_ptr<dtest::Spawned> m_registry;
    std::vector<std::string> m_mounted;
    std::string m_password;
};

TEST_F(EcrTest, PushAndEveryHostsPullWithTheTokenFromEcr) {
    ecr_registry();
    if (HasFatalFailure()) return;
    ecr_pipeline();
    // the fleet's app:v1, as an OCI layout that `hoist push --from` sends under the ECR name
    run_ok({"skopeo", "copy", "-q", "--src-tls-verify=false", "docker://" + m_image + ":v1",
            "oci:" + m_dir + "/layout:v1"},
           "skopeo copy");
    dtest::CommandLines sampler;
    auto push = hoist_ecr({"push", "--from", "oci:" + m_dir + "/layout:v1", "--tag", "v1"}, env());
    ASSERT_EQ(push.exit_code, 0) << push.err;
    EXPECT_EQ(tokens_issued(), 1);
    auto plan = hoist_ecr({"plan", "--tag", "v1"}, env());
    EXPECT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(
        plan.out.find("with the credentials of an ECR authorization token (GetAuthorizationToken, eu-west-1) "
                      "(user AWS), given on stdin"),
        std::string::npos)
        << plan.out;
    int before = tokens_issued();
    auto r = hoist_ecr({"-o", "json", "-v", "deploy", "--tag", "v1"}, env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(tokens_issued(), before + 1) << "one token for the whole deploy (every host's pull)";
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    for (const auto& h : m_fleet["hosts"]) {
        auto img = run_process({"docker", "-H", h["docker_host"].get<std::string>(), "image", "inspect", "-f",
                                "ok", kEcrHost + "/app:v1"});
        EXPECT_EQ(trim(img.out), "ok") << h["name"] << " pulled by the ECR name";
    }
    // the token: in no output, no command line, nothing left on a host
    const auto& lines = sampler.stop();
    std::string basic = base64_encode("AWS:" + m_password);
    for (const auto& s : {m_password, basic}) {
        for (const auto* out : {&push.out, &push.err, &plan.out, &plan.err, &r.out, &r.err})
            EXPECT_EQ(out->find(s), std::string::npos) << "the token in hoist's output";
        for (const auto& c : dtest::containing(lines, s, m_fleet["dir"].get<std::string>()))
            ADD_FAILURE() << "the token in a command line: " << c;
        for (const auto& h : m_fleet["hosts"])
            for (const auto& f : fs::recursive_directory_iterator(h["home"].get<std::string>())) {
                if (!f.is_regular_file() || f.file_size() > (1 << 20)) continue;
                EXPECT_EQ(read(f.path()).find(s), std::string::npos) << "the token in " << f.path();
            }
        for (const char* base : {"/dev/shm", "/tmp"}) {
            for (const auto& d : fs::directory_iterator(base)) {
                if (d.path().filename().string().rfind("hoist-pull.", 0) != 0) continue;
                EXPECT_EQ(read(d.path().string() + "/config.json").find(kEcrHost), std::string::npos)
                    << d.path() << " left behind";
            }
        }
    }
}

// launch: converge with an ECR image: the user data of the version the deploy wrote (the group
// launches $Default, so it is the default now) logs in to ECR at boot with the instance's AWS CLI,
// pulls by digest from the registry that accepts only the fake's token, starts the release on a
// host that had neither the image nor a container, and leaves no login behind.
TEST_F(EcrTest, LaunchConvergeAnInstanceLogsInToEcrAtBoot) {
    ecr_registry();
    if (HasFatalFailure()) return;
    ecr_pipeline();
    std::string path = m_dir + "/hoist.yml";
    std::string text = read(path);
    auto at = text.find("hosts: [");
    text.replace(at, text.find('\n', at) - at, "hosts: [{ asg: { name: web-asg, region: eu-west-1, launch: converge } }]");
    std::ofstream(path) << text;
    auto e = env();
    e["AWS_ENDPOINT_URL"] = m_fake->endpoint();
    run_ok({"skopeo", "copy", "-q", "--src-tls-verify=false", "docker://" + m_image + ":v1",
            "oci:" + m_dir + "/layout:v1"},
           "skopeo copy");
    auto push = hoist_ecr({"push", "--from", "oci:" + m_dir + "/layout:v1", "--tag", "v1"}, e);
    ASSERT_EQ(push.exit_code, 0) << push.err;
    auto r = hoist_ecr({"-o", "json", "deploy", "--tag", "v1"}, e);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.summary()["launch_template"]["version"], 2) << r.summary().dump();
    QueryClient ec2 = client(kEc2, m_fake->endpoint());
    auto versions = describe_template_versions(ec2, "lt-0ec70000000000001", {"$Default"});
    ASSERT_EQ(versions.size(), 1u);
    EXPECT_EQ(versions[0].number, 2) << "the group launches $Default: hoist's version is the default";
    auto script = base64_decode(versions[0].user_data);
    ASSERT_TRUE(script);
    EXPECT_NE(script->find("aws ecr get-login-password --region eu-west-1 | docker login --username AWS "
                           "--password-stdin " + kEcrHost),
              std::string::npos)
        << *script;
    EXPECT_EQ(script->find(m_password), std::string::npos);

    // the instance being launched: neither the image nor a container
    const auto& node = m_fleet["hosts"][m_hosts.size() - 1];
    const std::string dh = node["docker_host"].get<std::string>();
    run_process({"sh", "-c", "ids=$(docker -H " + dh + " ps -aq --filter label=hoist.service); [ -z \"$ids\" ] || "
                 "docker -H " + dh + " rm -f $ids"});
    run_process({"sh", "-c", "docker -H " + dh + " rmi -f $(docker -H " + dh + " images -q " + kEcrHost + "/app)"});
    ASSERT_NE(run_process({"docker", "-H", dh, "image", "inspect", kEcrHost + "/app:v1"}).exit_code, 0);
    auto boot = boot_user_data(m_fleet["ssh"]["config"].get<std::string>(), m_hosts.back(), m_dir, m_fake->endpoint(),
                               *script);
    std::string boot_log = boot.log;
    ASSERT_EQ(boot.exit_code, 0) << boot.out << boot_log;
    EXPECT_NE(boot_log.find("app-v1 is healthy"), std::string::npos) << boot_log;
    EXPECT_EQ(get(m_hosts.back(), 8080, "/version"), "v1");
    EXPECT_NE(m_fake->log().find("ecr GetAuthorizationToken eu-west-1 -> 200"), std::string::npos);
    // the login lived in a directory of its own, gone; the host's own docker config never held it
    std::string basic = base64_encode("AWS:" + m_password);
    for (const auto& f : fs::recursive_directory_iterator(node["home"].get<std::string>())) {
        if (!f.is_regular_file() || f.file_size() > (1 << 20)) continue;
        std::string body = read(f.path());
        EXPECT_EQ(body.find(m_password), std::string::npos) << f.path();
        EXPECT_EQ(body.find(basic), std::string::npos) << f.path();
    }
}

TEST_F(EcrTest, AwsErrorsInPlainWords) {
    ecr_pipeline();
    auto push = [&](const std::string& image, const std::string& key) {
        std::string path = m_dir + "/hoist.yml";
        std::string text = read(path);
        auto at = text.find("image: ");
        text.replace(at, text.find('\n', at) - at, "image: " + image);
        std::ofstream(path) << text;
        ProcessOptions o;
        o.cwd = m_dir;
        o.env = env(key);
        o.timeout = std::chrono::minutes(1);
        return run_process({HOIST_BINARY, "push", "--from", "oci:" + m_dir + "/none:v1", "--tag", "v1"}, o);
    };
    auto denied = push(kEcrHost + "/app", "AKIAHOISTDENIED00001");
    EXPECT_EQ(denied.exit_code, 5);
    EXPECT_NE(denied.err.find("ECR registry " + kEcrHost +
                              " (region eu-west-1): the AWS identity is not allowed to "
                              "call ecr:GetAuthorizationToken in eu-west-1; grant it that action"),
              std::string::npos)
        << denied.err;
    EXPECT_NE(denied.err.find("AccessDeniedException: User: arn:aws:iam::123456789012:user/hoist-test is not "
                              "authorized to perform: ecr:GetAuthorizationToken"),
              std::string::npos)
        << denied.err;
    auto disabled = push("123456789012.dkr.ecr.ap-east-1.amazonaws.com/app", kKeyId);
    EXPECT_EQ(disabled.exit_code, 5);
    EXPECT_NE(disabled.err.find(
                  "ECR registry 123456789012.dkr.ecr.ap-east-1.amazonaws.com (region ap-east-1): AWS "
                  "does not recognise the access key in region ap-east-1: the keys are wrong or expired, "
                  "or the region is not enabled for the account"),
              std::string::npos)
        << disabled.err;
    auto elsewhere = push("123456789012.dkr.ecr.us-west-2.amazonaws.com/app", kKeyId);  // not served here
    EXPECT_EQ(elsewhere.exit_code, 5);
    EXPECT_NE(elsewhere.err.find(
                  "ECR registry 123456789012.dkr.ecr.us-west-2.amazonaws.com (region us-west-2): the "
                  "endpoint " +
                  m_fake->endpoint() + " does not serve region us-west-2"),
              std::string::npos)
        << elsewhere.err;
    auto unknown = push(kEcrHost + "/app", "AKIAHOISTUNKNOWN0001");
    EXPECT_EQ(unknown.exit_code, 5);
    EXPECT_NE(unknown.err.find(
                  "UnrecognizedClientException: The security token included in the request is invalid."),
              std::string::npos)
        << unknown.err;
    EXPECT_EQ(tokens_issued(), 0);
}

// FROM an image on ECR, with no login anywhere: the native builder pulls the base with a token.
TEST_F(EcrTest, NativeBuildFromABaseOnEcr) {
    ecr_registry();
    if (HasFatalFailure()) return;
    ecr_pipeline();
    run_ok({"skopeo", "copy", "-q", "--src-tls-verify=false", "docker://" + m_image + ":v1",
            "oci:" + m_dir + "/layout:v1"},
           "skopeo copy");
    auto push = hoist_ecr({"push", "--from", "oci:" + m_dir + "/layout:v1", "--tag", "v1"}, env());
    ASSERT_EQ(push.exit_code, 0) << push.err;
    fs::create_directories(m_dir + "/ctx");
    std::ofstream(m_dir + "/ctx/Dockerfile") << "FROM " << kEcrHost << "/app:v1\nLABEL built-from=ecr\n";
    std::ofstream(m_dir + "/hoist.yml", std::ios::app) << "build: { context: ctx }\n";
    auto e = env();
    e["XDG_CACHE_HOME"] = m_dir + "/cache";  // an empty layer store: the base must come from ECR
    auto build = hoist_ecr({"build", "--tag", "v3"}, e);
    ASSERT_EQ(build.exit_code, 0) << build.err;
    EXPECT_EQ(tokens_issued(), 2);  // one per hoist process
    auto denied = hoist_ecr({"build", "--tag", "v4"}, env("AKIAHOISTDENIED00001"));
    EXPECT_EQ(denied.exit_code, 5);
    EXPECT_NE(denied.err.find("FROM " + kEcrHost + "/app:v1: ECR registry " + kEcrHost +
                              " (region eu-west-1): the AWS identity is not allowed"),
              std::string::npos)
        << denied.err;
}

}  // namespace
}  // namespace hoist::aws::itest
