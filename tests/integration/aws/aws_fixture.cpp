#include "aws_fixture.hpp"
#include "../fleet_json.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "http/http.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::aws::itest {

namespace fs = std::filesystem;

const AwsFleet& fleet() {
    static AwsFleet info;
    static std::string error;
    static bool loaded = false;
    if (!loaded) {
        loaded = true;
        const char* path = ::hoist::itest::fleet_json_path();
        if (!path || !*path) {
            error =
                "HOIST_FLEET_JSON is not set: the AWS tests need the test fleet (its hosts, nginx and "
                "docker). "
                "Bring one up with `tests/fleet/fleet up --name NAME --subnet A.B.C` (as root) and export "
                "HOIST_FLEET_JSON=/tmp/hoist-fleet/NAME/fleet.json";
        } else {
            try {
                std::ifstream in(path);
                if (!in) throw std::runtime_error(std::string("cannot read ") + path);
                in >> info.json;
                auto& j = info.json;
                info.name = j.at("name");
                info.dir = j.at("dir");
                info.bridge = j.at("bridge_address");
                if (!j.at("docker").get<bool>() || j.at("lb").is_null() || j.at("images").is_null())
                    throw std::runtime_error(
                        "the AWS tests need a fleet with docker, the LB host and images");
                info.nginx_url = j["lb"]["nginx"]["url"];
                info.upstream_file = j["lb"]["nginx"]["config_path_local"];
                info.image_v1 = j["images"]["v1"];
                info.image_v2 = j["images"]["v2"];
                info.image_unhealthy = j["images"]["unhealthy"];
                for (auto& h : j.at("hosts")) info.hosts.push_back({h.at("address"), h.at("docker_host")});
                if (info.hosts.size() < 2)
                    throw std::runtime_error("the AWS tests need at least 2 fleet hosts");
            } catch (const std::exception& e) {
                info.hosts.clear();
                error = std::string("HOIST_FLEET_JSON=") + path + ": " + e.what();
            }
        }
    }
    if (!error.empty()) ADD_FAILURE() << error;
    return info;
}

void AwsFleetTest::SetUp() {
    const AwsFleet& info = fleet();
    if (info.hosts.empty()) FAIL() << "no test fleet (see above)";
    m_fleet = &info;
}

std::string arn(const std::string& kind, const std::string& name) {
    return std::string("arn:aws:elasticloadbalancing:") + kRegion + ":123456789012:" + kind + "/" + name;
}

/// run_process with a deadline suited to one docker/ssh/helper command of a test.
ProcessResult run_bounded(const std::vector<std::string>& argv, std::chrono::seconds limit = std::chrono::seconds(60)) {
    ProcessOptions o;
    o.timeout = limit;
    o.new_group = true;
    auto r = run_process(argv, o);
    if (r.timed_out) ADD_FAILURE() << argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << " did not finish within "
                                   << limit.count() << " s";
    return r;
}

std::string sh(const std::string& script) {
    auto r = run_bounded({"/bin/sh", "-c", script}, std::chrono::seconds(120));
    EXPECT_EQ(r.exit_code, 0) << script << "\n" << r.err;
    return r.out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

FakeAws::FakeAws(const std::string& id, nlohmann::json seed, bool imds, bool nginx) : m_id(id) {
    const AwsFleet& fl = fleet();
    m_dir = fl.dir + "/fake-aws-" + id;
    m_upstream_before = read_file(fl.upstream_file);
    std::string seed_file = fl.dir + "/fake-aws-seed-" + id + ".json";
    std::ofstream(seed_file) << seed.dump(2);
    std::vector<std::string> argv = {std::string(HOIST_SOURCE_DIR) + "/tests/fleet/fake-aws",
                                     "start",
                                     "--name",
                                     fl.name,
                                     "--id",
                                     id,
                                     "--seed",
                                     seed_file};
    if (imds) argv.push_back("--imds");
    if (!nginx) argv.push_back("--no-nginx");
    auto r = run_bounded(argv);
    if (r.exit_code != 0) throw std::runtime_error("fake-aws start failed: " + r.err);
    auto ready = nlohmann::json::parse(r.out);
    m_endpoint = ready["endpoint"];
    m_imds = ready["imds"];
}

FakeAws::~FakeAws() {
    const AwsFleet& fl = fleet();
    run_bounded({std::string(HOIST_SOURCE_DIR) + "/tests/fleet/fake-aws", "stop", "--name", fl.name, "--id", m_id});
    fs::remove(fl.dir + "/fake-aws-seed-" + m_id + ".json");
    // The endpoint puts nginx's upstream file back when it stops; make sure, for the next test.
    if (read_file(fl.upstream_file) != m_upstream_before) {
        std::ofstream(fl.upstream_file) << m_upstream_before;
        run_bounded({"ssh", "-F", fl.json["ssh"]["config"], "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "lb",
                     "nginx -s reload"});
        ADD_FAILURE() << "fake-aws " << m_id << " left nginx's upstream file changed; restored it";
    }
}

std::string FakeAws::log() const {
    return read_file(m_dir + "/fake-aws.log");
}

nlohmann::json base_seed() {
    return {
        {"region", kRegion},
        {"credentials", {{{"access_key_id", kKeyId}, {"secret_access_key", kSecret}}}},
        {"health",
         {{"interval_ms", 200}, {"healthy_threshold", 2}, {"unhealthy_threshold", 2}, {"timeout_ms", 1000}}},
        {"target_groups", nlohmann::json::array()},
        {"load_balancers", nlohmann::json::array()}};
}

Credentials test_keys() {
    Credentials c;
    c.access_key_id = kKeyId;
    c.secret_access_key = Secret(kSecret);
    c.source = "test keys";
    return c;
}

QueryClient client(const Service& service, const std::string& endpoint, Credentials keys,
                   QueryOptions options) {
    return QueryClient(
        service, kRegion, endpoint, [keys] { return keys; }, std::move(options));
}

std::shared_ptr<Elbv2> elbv2(const std::string& endpoint) {
    return std::make_shared<Elbv2>(client(kElbv2, endpoint));
}

Containers::~Containers() {
    for (auto& [h, name] : m_running) run_bounded({"docker", "-H", h.docker_host, "rm", "-f", name});
}

void Containers::run(const FleetHost& h, const std::string& name, int port, const std::string& image) {
    run_bounded({"docker", "-H", h.docker_host, "rm", "-f", name});
    auto r = run_bounded({"docker", "-H", h.docker_host, "run", "-d", "--name", name, "--label",
                          "hoist-aws-itest=1", "-p", std::to_string(port) + ":8080", image});
    ASSERT_EQ(r.exit_code, 0) << "docker run " << name << " on " << h.address << ": " << r.err;
    m_running.emplace_back(h, name);
    // busybox httpd answers within milliseconds of starting; wait for it so tests start from "up".
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < until) {
        if (!http_get("http://" + h.address + ":" + std::to_string(port) + "/version").empty()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << name << " on " << h.address << ":" << port << " did not answer";
}

void Containers::remove(const FleetHost& h, const std::string& name) {
    run_bounded({"docker", "-H", h.docker_host, "rm", "-f", name});
    std::erase_if(m_running, [&](const auto& e) { return e.first.address == h.address && e.second == name; });
}

Loadgen::Loadgen(const std::string& url, std::vector<std::string> extra) {
    m_out = fs::temp_directory_path() / ("hoist-aws-loadgen-" + std::to_string(::getpid()) + ".json");
    std::vector<std::string> argv = {std::string(HOIST_SOURCE_DIR) + "/tests/fleet/loadgen", url, "--max-duration", "300"};
    for (auto& e : extra) argv.push_back(e);
    std::vector<char*> args;  // built before fork: the child only calls async-signal-safe functions
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const char* out = m_out.c_str();
    m_pid = fork();
    if (m_pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 2);
        execv(args[0], args.data());
        _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(700));  // let it reach full load
}

nlohmann::json Loadgen::stop() {
    if (m_pid <= 0) return {};
    ::kill(m_pid, SIGINT);
    // Bounded: loadgen joins its workers for at most --timeout + 1 s each; past 30 s it is
    // stuck, and a test that waits for it would hang the whole run.
    int status = 0;
    bool exited = false;
    for (int i = 0; i < 600 && !exited; ++i) {
        exited = waitpid(m_pid, &status, WNOHANG) == m_pid;
        if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!exited) {
        ::kill(m_pid, SIGKILL);
        waitpid(m_pid, &status, 0);
        ADD_FAILURE() << "loadgen did not stop within 30 s of SIGINT; killed";
    }
    m_pid = -1;
    std::string text = read_file(m_out);
    fs::remove(m_out);
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) ADD_FAILURE() << "loadgen printed no summary: '" << text << "'";
    return j;
}

Loadgen::~Loadgen() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        waitpid(m_pid, nullptr, 0);
        fs::remove(m_out);
    }
}

std::string http_get(const std::string& url) {
    http::Request r;
    r.url = url;
    r.timeout_s = 5;
    auto resp = http::perform(r);
    return resp.ok() ? resp.body : "";
}

Boot boot_user_data(const std::string& ssh_config, const std::string& host, const std::string& dir,
                    const std::string& endpoint, const std::string& script) {
    Boot b;
    std::string aws_cli = fs::exists("/usr/bin/aws") ? "/usr/bin/aws" : "";
    if (aws_cli.empty()) aws_cli = trim(run_process({"sh", "-c", "command -v aws"}).out);
    if (aws_cli.empty()) {
        ADD_FAILURE() << "the AWS CLI (Debian package awscli) is needed: .ci/install-deps.sh";
        return b;
    }
    // the host's login user (not the test's root) reads the CLI wrapper and writes the boot log
    const std::string boot_dir = dir + "/boot";
    fs::create_directories(boot_dir + "/bin");
    fs::permissions(dir, fs::perms(0711));
    fs::permissions(boot_dir, fs::perms(0777));
    std::ofstream(boot_dir + "/bin/aws") << "#!/bin/sh\nexec " << aws_cli
                                         << " --endpoint-url \"$TEST_AWS_ENDPOINT\" \"$@\"\n";
    fs::permissions(boot_dir + "/bin/aws", fs::perms(0755));
    ProcessOptions o;
    o.input = "export TEST_AWS_ENDPOINT=" + endpoint + " AWS_ACCESS_KEY_ID=" + kKeyId + " AWS_SECRET_ACCESS_KEY='" +
              kSecret + "' AWS_EC2_METADATA_DISABLED=true HOIST_BOOT_LOG=" + boot_dir + "/boot.log PATH=" + boot_dir +
              "/bin:/usr/sbin:/usr/bin:/sbin:/bin\n" + script;
    o.timeout = std::chrono::minutes(2);
    auto r = run_process({"ssh", "-F", ssh_config, host, "bash", "-s"}, o);
    b.exit_code = r.exit_code;
    b.out = r.out + r.err;
    std::ifstream in(boot_dir + "/boot.log");
    b.log.assign(std::istreambuf_iterator<char>(in), {});
    return b;
}

}  // namespace hoist::aws::itest
