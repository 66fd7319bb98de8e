// What the pipeline says about the container is what runs on the host: the named volume and the
// bind mount, the extra `docker run` options, the command that replaces the image's CMD; the named
// volume outlives the container (the next version sees what the previous one wrote). `hoist logs`
// prints the last lines of every host's live container prefixed by the host, as JSON events with
// -o json, and with -f lines written later, until interrupted.
#include <signal.h>

#include <algorithm>

#include "corner_fixture.hpp"

namespace hoist::dtest {

using corner::eventually;

TEST_F(CornerTest, VolumesOptionsAndCommandReachTheContainerAndLogsShowItsOutput) {
    std::string user = m_fleet["ssh"]["user"].get<std::string>();
    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
        docker(i, "volume rm -f cor-data");
        corner::fs::create_directories(home(i) + "/cor-bind");
        std::ofstream(home(i) + "/cor-bind/hello") << "bind-says-hi-" << i << "\n";
    }
    // stderr's line between sleeps: the two streams reach docker's log through two pipes
    const std::string script =
        "echo log-line-1; cat /bind/hello; sleep 0.2; echo log-line-2 >&2; sleep 0.2; cat /www/version >> "
        "/data/boots; "
        "echo >> /data/boots; echo log-line-3; exec /bin/busybox httpd -f -p 8080 -h /www";
    corner_pipeline("",
                    "container:\n"
                    "  port: 8080\n  host_port: 8080\n  stop_timeout: 1s\n"
                    "  volumes: ['cor-data:/data', '/home/" +
                        user +
                        "/cor-bind:/bind:ro']\n"
                        "  options: ['--hostname=cor-app', '--label=cor.item=six']\n"
                        "  command: ['/bin/busybox', 'sh', '-c', '" +
                        script + "']\n");
    auto r1 = hoist({"deploy", "--tag", "v1"});
    ASSERT_EQ(r1.exit_code, 0) << r1.err;
    auto r2 = hoist({"deploy", "--tag", "v2"});
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
    expect_every_host_serves("v2", "the command serves the app");

    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
        auto j = nlohmann::json::parse(docker(i, "inspect app-v2"), nullptr, false);
        ASSERT_TRUE(j.is_array() && j.size() == 1) << m_hosts[i];
        const auto& c = j[0];
        EXPECT_EQ(c["Config"]["Hostname"], "cor-app") << m_hosts[i];
        EXPECT_EQ(c["Config"]["Labels"].value("cor.item", ""), "six") << m_hosts[i];
        EXPECT_EQ(c["Config"]["Labels"].value("hoist.version", ""), "v2") << m_hosts[i];
        EXPECT_EQ(c["Config"]["Cmd"], nlohmann::json({"/bin/busybox", "sh", "-c", script})) << m_hosts[i];
        bool volume = false, bind = false;
        for (const auto& m : c["Mounts"]) {
            if (m["Type"] == "volume" && m["Name"] == "cor-data" && m["Destination"] == "/data")
                volume = true;
            if (m["Type"] == "bind" && m["Source"] == "/home/" + user + "/cor-bind" &&
                m["Destination"] == "/bind" && m["RW"] == false)
                bind = true;
        }
        EXPECT_TRUE(volume && bind) << m_hosts[i] << ": " << c["Mounts"].dump();
        EXPECT_EQ(docker(i, "exec app-v2 cat /data/boots"), "v1\nv2\n")
            << "the volume outlives app-v1 on " << m_hosts[i];
    }

    // hoist logs --tail 2: the last two lines of each host's app-v2, each prefixed by its host
    auto lg = hoist({"logs", "--tail", "2"});
    ASSERT_EQ(lg.exit_code, 0) << lg.err;
    std::map<std::string, std::set<std::string>> by_host;
    for (const auto& line : split(lg.out, '\n')) {
        auto bar = line.find(" | ");
        if (bar != std::string::npos) by_host[line.substr(0, bar)].insert(line.substr(bar + 3));
    }
    for (const auto& h : m_hosts)
        EXPECT_EQ(by_host[h], (std::set<std::string>{"log-line-2", "log-line-3"})) << h << "\n" << lg.out;
    EXPECT_EQ(by_host.size(), m_hosts.size()) << lg.out;
    auto lj = hoist({"-o", "json", "logs", "--tail", "4"});
    ASSERT_EQ(lj.exit_code, 0) << lj.err;
    int events = 0, hellos = 0, stderr_lines = 0;
    for (const auto& line : split(lj.out, '\n')) {
        auto ev = nlohmann::json::parse(line, nullptr, false);
        if (!ev.is_object() || ev.value("event", "") != "log") continue;
        ++events;
        EXPECT_EQ(ev["container"], "app-v2") << line;
        if (ev["line"].get<std::string>().rfind("bind-says-hi-", 0) == 0) ++hellos;
        if (ev["line"] == "log-line-2") {
            ++stderr_lines;
            EXPECT_EQ(ev["stream"], "stderr") << line;
        }
    }
    EXPECT_EQ(events, 12) << lj.out;
    EXPECT_EQ(hellos, 3) << lj.out;
    EXPECT_EQ(stderr_lines, 3) << lj.out;

    // -f into a file (as in a CI log): lines written later arrive while it runs, until interrupted
    auto follow = hoist_bg({"logs", "-f", "--tail", "1"}, "follow");
    auto lines_of = [&] { return read(m_dir + "/follow.out"); };
    EXPECT_TRUE(eventually(
        [&] {
            std::string o = lines_of();
            return std::count(o.begin(), o.end(), '\n') >= static_cast<long>(m_hosts.size());
        },
        std::chrono::seconds(15)))
        << lines_of();
    docker(1, "exec app-v2 sh -c 'echo late-line > /proc/1/fd/1'");
    EXPECT_TRUE(eventually([&] { return lines_of().find(m_hosts[1] + " | late-line") != std::string::npos; },
                           std::chrono::seconds(15)))
        << lines_of();
    follow->signal(SIGINT);
    EXPECT_EQ(follow->wait(std::chrono::seconds(15)), 130) << read(m_dir + "/follow.err");
    for (std::size_t i = 0; i < m_hosts.size(); ++i)
        docker(i, "rm -f app-v1 app-v2 >/dev/null; docker -H " + docker_host(i) + " volume rm -f cor-data");
}

}  // namespace hoist::dtest
