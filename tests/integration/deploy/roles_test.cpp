// Roles besides web (spec section 6) on the real fleet: web on two hosts behind nginx, a worker role
// on two hosts (one shared with web), under load: names and labels on the right hosts, the release
// command once before the first swap, workers stopped with SIGTERM and their own stop_timeout, a
// crashing worker taking every role back (0 failed requests), rollback covering every role.
#include <csignal>
#include <fstream>
#include <thread>

#include "deploy_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace {

// A worker that finishes its "job" for 3 s after SIGTERM (then exits 0), and says so in its log.
const char* kWorkerCommand =
    "[\"/bin/busybox\", \"sh\", \"-c\", \"trap 'echo got TERM; sleep 3; echo finished job; exit 0' TERM; "
    "echo worker $(/bin/busybox cat /www/version) queue=$QUEUE; while :; do sleep 1 & wait $!; done\"]";

}  // namespace

class RolesTest : public DeployTest {
protected:
    /// web on hosts 0 and 1 behind nginx, worker on hosts 1 and 2; `worker_command` as YAML.
    void write(const std::string& worker_command, const std::string& max_unavailable = "100%") {
        std::string path = pipeline(
            "release_command: [\"/bin/busybox\", \"sh\", \"-c\", \"echo migrated to $(/bin/busybox cat /www/version)\"]\n"
            "roles:\n"
            "  worker:\n"
            "    hosts: [" + m_hosts[1] + ", " + m_hosts[2] + "]\n"
            "    command: " + worker_command + "\n"
            "    container: { env: { QUEUE: default } }\n"
            "    stop_timeout: 10s\n"
            "    strategy: { max_unavailable: " + max_unavailable + " }\n"
            "    healthcheck: { deadline: 2s }\n");
        std::string text = read(path);
        std::string all = "hosts: [" + join(m_hosts, ", ") + "]";
        text.replace(text.find(all), all.size(), "hosts: [" + m_hosts[0] + ", " + m_hosts[1] + "]");
        std::ofstream(path) << text;
    }
    std::string docker(const std::string& host, const std::string& args) const {
        for (const auto& h : m_fleet["hosts"])
            if (h["address"] == host)
                return run_process({"sh", "-c", "docker -H " + h["docker_host"].get<std::string>() + " " + args}).out;
        return "";
    }
    /// "name role version state" of every hoist container on `host`, sorted.
    std::vector<std::string> containers(const std::string& host) const {
        auto out = docker(host, "ps -a --filter label=hoist.service=app --format "
                                "'{{.Names}} {{.Label \"hoist.role\"}} {{.Label \"hoist.version\"}} {{.State}}'");
        std::vector<std::string> list;
        for (const auto& l : split(out, '\n'))
            if (!trim(l).empty()) list.push_back(trim(l));
        std::sort(list.begin(), list.end());
        return list;
    }
};

TEST_F(RolesTest, WebAndWorkerRollOutUnderLoadAndAFailingWorkerTakesEveryRoleBack) {
    write(kWorkerCommand);
    auto v1 = hoist({"-o", "json", "deploy", "--tag", "v1"});
    ASSERT_EQ(v1.exit_code, 0) << v1.err;
    EXPECT_EQ(containers(m_hosts[0]), (std::vector<std::string>{"app-v1 web v1 running"}));
    EXPECT_EQ(containers(m_hosts[1]), (std::vector<std::string>{"app-v1 web v1 running", "app-worker-v1 worker v1 running"}));
    EXPECT_EQ(containers(m_hosts[2]), (std::vector<std::string>{"app-worker-v1 worker v1 running"}));
    EXPECT_EQ(trim(docker(m_hosts[2], "port app-worker-v1")), "") << "a worker publishes nothing";
    EXPECT_NE(docker(m_hosts[2], "logs app-worker-v1 2>&1").find("worker v1 queue=default"), std::string::npos)
        << "the role's command and merged env";

    // v2 under load
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto v2 = hoist({"-o", "json", "deploy", "--tag", "v2"});
    auto l = load.stop();
    ASSERT_EQ(v2.exit_code, 0) << v2.err;
    expect_no_failures(l, "web and worker deploy");
    auto release = events(v2, "release");
    ASSERT_EQ(release.size(), 1u) << "the release command ran exactly once: " << v2.out;
    std::string released = release[0]["time"];
    auto out = events(v2, "release_output");
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out[0]["line"], "migrated to v2") << "in the new image";
    int worker_runs = 0;
    for (const auto& ev : events(v2, "step")) {
        std::string action = ev.value("action", "");
        if (action == "run" || action == "stop" || action == "drain" || action == "enable") {
            EXPECT_LT(released, ev["time"].get<std::string>()) << "a swap before the release command ended: " << ev.dump();
        }
        if (action == "pull") {
            EXPECT_GT(released, ev["time"].get<std::string>()) << "pre-flight after the release: " << ev.dump();
        }
        if (action == "run" && ev.value("detail", "").find("app-worker-v2") != std::string::npos) ++worker_runs;
    }
    EXPECT_EQ(worker_runs, 2);
    EXPECT_EQ(containers(m_hosts[1]), (std::vector<std::string>{"app-v1 web v1 exited", "app-v2 web v2 running",
                                                                "app-worker-v1 worker v1 exited",
                                                                "app-worker-v2 worker v2 running"}));
    EXPECT_EQ(containers(m_hosts[2]),
              (std::vector<std::string>{"app-worker-v1 worker v1 exited", "app-worker-v2 worker v2 running"}));
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v2") << h;
    // stopped with SIGTERM and its own stop_timeout: the job in progress finished (3 s), exit 0, not killed
    auto logs = docker(m_hosts[2], "logs app-worker-v1 2>&1");
    EXPECT_NE(logs.find("got TERM"), std::string::npos) << logs;
    EXPECT_NE(logs.find("finished job"), std::string::npos) << "killed before its job ended: " << logs;
    EXPECT_EQ(trim(docker(m_hosts[2], "inspect -f '{{.State.ExitCode}}' app-worker-v1")), "0");
    // the summary lists hosts per role
    auto summary = v2.summary();
    int web_hosts = 0, worker_hosts = 0;
    for (const auto& h : summary["hosts"]) {
        if (h["role"] == "web") ++web_hosts;
        if (h["role"] == "worker") {
            ++worker_hosts;
            EXPECT_EQ(h["result"], "updated");
            EXPECT_EQ(h["version"], "v2");
        }
    }
    EXPECT_EQ(web_hosts, 2);
    EXPECT_EQ(worker_hosts, 2);

    // a worker that crashes: exit 1, every role back on v2 (web had gone to v1 already), 0 failed
    write("[\"/bin/busybox\", \"sh\", \"-c\", \"echo cannot reach the queue; exit 3\"]");
    Load load2(nginx_url(), "close", 2, 1, m_dir);
    auto bad = hoist({"-o", "json", "deploy", "--tag", "v1"});
    auto l2 = load2.stop();
    EXPECT_EQ(bad.exit_code, 1) << bad.err;
    expect_no_failures(l2, "a crashing worker rolled back with web", false);
    EXPECT_NE(bad.err.find("role worker failed"), std::string::npos) << bad.err;
    EXPECT_EQ(bad.summary()["result"], "rolled_back");
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v2") << "web back on v2: " << h;
    for (const auto& h : {m_hosts[1], m_hosts[2]}) {
        auto list = containers(h);
        EXPECT_NE(std::find(list.begin(), list.end(), "app-worker-v2 worker v2 running"), list.end()) << h;
        for (const auto& c : list)
            if (c.find(" running") != std::string::npos) {
                EXPECT_NE(c.find(" v2 "), std::string::npos) << h << ": " << c;
            }
    }
    EXPECT_EQ(pool().size(), 2u);

    // rollback covers every role: back to v1 (the version before v2)
    write(kWorkerCommand);
    auto back = hoist({"-o", "json", "rollback"});
    ASSERT_EQ(back.exit_code, 0) << back.err;
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v1") << h;
    for (const auto& h : {m_hosts[1], m_hosts[2]}) {
        auto list = containers(h);
        EXPECT_NE(std::find(list.begin(), list.end(), "app-worker-v1 worker v1 running"), list.end()) << h;
    }
    EXPECT_TRUE(events(back, "release").empty()) << "a rollback skips the release command";

    // --roles worker: only the worker role changes
    auto only = hoist({"-o", "json", "--roles", "worker", "deploy", "--tag", "v2"});
    ASSERT_EQ(only.exit_code, 0) << only.err;
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v1") << "web left alone: " << h;
    auto list = containers(m_hosts[2]);
    EXPECT_NE(std::find(list.begin(), list.end(), "app-worker-v2 worker v2 running"), list.end());
    EXPECT_EQ(hoist({"--roles", "workers", "deploy", "--tag", "v2"}).exit_code, 2) << "an unknown role";
}

TEST_F(RolesTest, CtrlCWhileTheWorkersRollPutsEveryRoleBack) {
    // web is done and the workers are stopping (each takes 3 s for its job) when Ctrl-C comes: exit
    // 130, every role back on v1, nginx serving v1 throughout the way back, the lock released
    write(kWorkerCommand);
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto bg = hoist_bg({"-o", "json", "deploy", "--tag", "v2"}, "roles-int");
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    auto worker_stopping = [&] {
        for (const auto& line : split(read(m_dir + "/roles-int.out"), '\n')) {
            auto ev = nlohmann::json::parse(line, nullptr, false);
            if (ev.is_object() && ev.value("event", "") == "step" && ev.value("action", "") == "stop" &&
                ev.value("detail", "").find("app-worker-v1") != std::string::npos)
                return true;
        }
        return false;
    };
    while (!worker_stopping() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(worker_stopping()) << read(m_dir + "/roles-int.err");
    bg->signal(SIGINT);
    int code = bg->wait(std::chrono::seconds(120));
    auto l = load.stop();
    std::string err = read(m_dir + "/roles-int.err");
    EXPECT_EQ(code, 130) << err;
    EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
    expect_no_failures(l, "Ctrl-C during the worker role");
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v1") << "web back on v1: " << h;
    EXPECT_EQ(pool().size(), 2u) << "both web hosts in the pool";
    for (const auto& h : {m_hosts[1], m_hosts[2]}) {
        auto list = containers(h);
        EXPECT_NE(std::find(list.begin(), list.end(), "app-worker-v1 worker v1 running"), list.end())
            << h << ": " << join(list, "; ");
        for (const auto& c : list)
            if (c.find(" running") != std::string::npos) {
                EXPECT_NE(c.find(" v1 "), std::string::npos) << h << ": " << c;
            }
    }
    EXPECT_FALSE(lock_held()) << "the lock is released";
    auto again = hoist({"deploy", "--tag", "v2"});
    EXPECT_EQ(again.exit_code, 0) << "the next deploy goes through: " << again.err;
}

TEST_F(RolesTest, StatusLogsHistoryRunAndPruneCoverEveryRole) {
    write(kWorkerCommand, "1");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    auto v2 = hoist({"-o", "json", "deploy", "--tag", "v2"});
    ASSERT_EQ(v2.exit_code, 0) << v2.err;
    // max_unavailable 1 without a load balancer: the second worker host starts after the first is healthy
    std::string healthy_first, started_second;
    for (const auto& ev : events(v2, "step")) {
        if (ev.value("host", "") == m_hosts[1] && ev.value("action", "") == "health")
            healthy_first = ev["time"];  // the last one there: web's came first
        if (ev.value("host", "") == m_hosts[2] && ev.value("action", "") == "run") started_second = ev["time"];
    }
    ASSERT_FALSE(healthy_first.empty()) << v2.out;
    ASSERT_FALSE(started_second.empty()) << v2.out;
    EXPECT_LT(healthy_first, started_second) << "one worker host at a time";

    auto st = hoist({"-o", "json", "status"});
    EXPECT_EQ(st.exit_code, 0) << st.err;
    int workers = 0;
    const auto status = st.summary();  // kept: a range-for over a temporary's member would dangle
    for (const auto& row : status["hosts"])
        if (row["role"] == "worker") {
            ++workers;
            EXPECT_EQ(row["version"], "v2");
            EXPECT_EQ(row["container"], "app-worker-v2");
            EXPECT_EQ(row["health"], "running");
        }
    EXPECT_EQ(workers, 2) << st.out;
    auto human = hoist({"status"});
    EXPECT_NE(human.out.find("ROLE"), std::string::npos) << human.out;

    auto logs = hoist({"--roles", "worker", "logs", "--tail", "5"});
    EXPECT_EQ(logs.exit_code, 0) << logs.err;
    EXPECT_NE(logs.out.find(m_hosts[2] + " worker | worker v2 queue=default"), std::string::npos) << logs.out;
    EXPECT_EQ(logs.out.find(m_hosts[0]), std::string::npos) << "web's host is not the worker's: " << logs.out;
    EXPECT_EQ(hoist({"logs", "-f"}).exit_code, 2) << "following two roles at once is refused";

    auto hist = hoist({"-o", "json", "--roles", "worker", "history"});
    EXPECT_EQ(hist.exit_code, 0) << hist.err;
    int worker_entries = 0;
    for (const auto& line : split(hist.out, '\n')) {
        auto ev = nlohmann::json::parse(line, nullptr, false);
        if (!ev.is_object() || ev.value("event", "") != "history") continue;
        EXPECT_EQ(ev.value("kind", ""), "deploy") << ev.dump();
        EXPECT_EQ(ev.value("role", ""), "worker") << ev.dump();
        ++worker_entries;
    }
    EXPECT_EQ(worker_entries, 4) << "two deploys on two worker hosts: " << hist.out;

    auto run = hoist({"run", "--role", "worker", "--", "/bin/busybox", "sh", "-c", "echo $QUEUE $(cat /www/version)"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, "default v2\n") << "the worker role's env, in its image";
    EXPECT_NE(run.err.find(m_hosts[1]), std::string::npos) << "on the role's first host: " << run.err;

    // an older version left on a host: prune removes it, never the live or the rollback container
    std::string repo = m_image;
    docker(m_hosts[1], "tag " + repo + ":v1 " + repo + ":v0");
    docker(m_hosts[1], "create --name app-v0 --label hoist.service=app --label hoist.version=v0 --label hoist.role=web " +
                           repo + ":v0 >/dev/null");
    ASSERT_EQ(containers(m_hosts[1]).size(), 5u);
    auto pr = hoist({"-o", "json", "prune", "--keep", "1"});
    EXPECT_EQ(pr.exit_code, 0) << pr.err;
    EXPECT_EQ(containers(m_hosts[1]),
              (std::vector<std::string>{"app-v1 web v1 exited", "app-v2 web v2 running", "app-worker-v1 worker v1 exited",
                                        "app-worker-v2 worker v2 running"}));
    EXPECT_EQ(trim(docker(m_hosts[1], "images -q " + repo + ":v0")), "") << "the v0 tag is gone";
    EXPECT_NE(trim(docker(m_hosts[1], "images -q " + repo + ":v1")), "") << "the rollback image stays";
    bool said = false;
    const auto pruned = pr.summary();
    for (const auto& row : pruned["hosts"])
        if (row["host"] == m_hosts[1]) {
            said = true;
            EXPECT_EQ(row["containers"], nlohmann::json::array({"app-v0"}));
            EXPECT_EQ(row["images"], nlohmann::json::array({"v0"}));
            EXPECT_TRUE(row.contains("freed_bytes") && row["freed_bytes"].get<long long>() >= 0) << row.dump();
        }
    EXPECT_TRUE(said) << pr.out;
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v2") << h;
    EXPECT_EQ(hoist({"rollback"}).exit_code, 0) << "the rollback still has its image and containers";
}

}  // namespace hoist::dtest
