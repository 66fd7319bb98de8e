// The exact commands hoist runs on hosts, and the one place they are quoted.
#include <gtest/gtest.h>

#include "lb/nginx.hpp"
#include "remote/docker.hpp"
#include "remote/files.hpp"

using namespace hoist;

TEST(Quote, LeavesSafeWordsBareAndQuotesTheRest) {
    EXPECT_EQ(remote::quote("docker"), "docker");
    EXPECT_EQ(remote::quote("a=b,c:d/e.f@g%h+i-j_k"), "a=b,c:d/e.f@g%h+i-j_k");
    EXPECT_EQ(remote::quote(""), "''");
    EXPECT_EQ(remote::quote("two words"), "'two words'");
    EXPECT_EQ(remote::quote("it's"), "'it'\\''s'");
    EXPECT_EQ(remote::quote("$(rm -rf /)"), "'$(rm -rf /)'");
    EXPECT_EQ(remote::quote("{{json .}}"), "'{{json .}}'");
    EXPECT_EQ(remote::quote("a\nb"), "'a\nb'");
}

TEST(Docker, RunCarriesLabelsPortsEnvAndOptions) {
    remote::ContainerSpec s;
    s.name = "web-blue";
    s.image = "r.example.com/web:v2";
    s.service = "web";
    s.version = "v2";
    s.color = "blue";
    s.host_port = 8081;
    s.container_port = 8080;
    s.env = {{"A", "1 2"}, {"B", "x"}};
    s.env_file = ".hoist/web/web-blue.env";
    s.volumes = {"data:/data"};
    s.options = {"--memory", "512m"};
    s.command = {"serve", "--fast"};
    s.stop_timeout = std::chrono::milliseconds(1500);
    EXPECT_EQ(remote::run(s).render(),
              "docker run --detach --name web-blue --restart unless-stopped --label hoist.service=web "
              "--label hoist.version=v2 --label hoist.color=blue --label hoist.port=8081 --publish 8081:8080 --stop-timeout 2 "
              "--env 'A=1 2' --env B=x --env-file .hoist/web/web-blue.env --volume data:/data --memory 512m "
              "r.example.com/web:v2 serve --fast");
}

TEST(Docker, OtherCommands) {
    using std::chrono::milliseconds;
    EXPECT_EQ(remote::stop("podman", "web-v1", milliseconds(30000)).render(), "podman stop --time 30 web-v1");
    EXPECT_EQ(remote::stop("docker", "web-v1", milliseconds(100)).render(), "docker stop --time 1 web-v1");
    EXPECT_EQ(remote::pull("docker", "r/x:1").render(), "docker pull --quiet r/x:1");
    EXPECT_EQ(remote::remove("docker", "web-green").render(), "docker rm --force web-green");
    EXPECT_EQ(remote::list_containers("docker", "web").render(),
              "docker ps --all --no-trunc --filter label=hoist.service=web --format '{{json .}}'");
    EXPECT_EQ(remote::login("docker", "r.example.com", "ci").render(),
              "docker login --username ci --password-stdin r.example.com");
    EXPECT_EQ(remote::logs("docker", "web-v1", 50, true).render(), "docker logs --tail 50 --follow web-v1");
    EXPECT_EQ(remote::env_file_path("web", "web-v2"), ".hoist/web/web-v2.env");
}

TEST(Nginx, UpstreamFileNeverEmptyAndMarksDown) {
    lb::Pool pool{{"10.0.1.11", 8080, false, ""}, {"10.0.1.12", 8080, true, ""}};
    std::string text = lb::render_nginx_upstream("web", "web", pool);
    EXPECT_EQ(text,
              "# Managed by hoist for service 'web'. Rewritten on every deploy: do not edit.\n"
              "upstream web {\n"
              "    server 10.0.1.11:8080 down;\n"
              "    server 10.0.1.12:8080;\n"
              "}\n");
    // what hoist writes, it reads back
    auto back = lb::parse_nginx_upstream(text, "web");
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, pool);
}

TEST(Nginx, ParsesHandWrittenBlocksAndIgnoresOthers) {
    auto pool = lb::parse_nginx_upstream("upstream other { server 1.1.1.1:80; }\n"
                                         "# comment { }\nupstream web {\n  server 10.0.0.1:81 weight=2; # x\n"
                                         "  server [::1]:8082 max_fails=1 down;\n  keepalive 4;\n}\n",
                                         "web");
    ASSERT_TRUE(pool.has_value());
    ASSERT_EQ(pool->size(), 2u);
    EXPECT_EQ((*pool)[0], (lb::Member{"10.0.0.1", 81, true, ""}));
    EXPECT_EQ((*pool)[1], (lb::Member{"::1", 8082, false, ""}));
    EXPECT_FALSE(lb::parse_nginx_upstream("upstream other { server a:1; }", "web").has_value());
}

TEST(Nginx, ApplyCommandInstallsTestsAndRestores) {
    // install, test (put back the previous file when refused), reload, then wait until the old
    // workers stopped taking connections (see nginx_apply_command)
    EXPECT_EQ(lb::nginx_apply_command("/etc/nginx/conf.d/hoist-web.conf", "nginx -t", "nginx -s reload").render(),
              "sh -c 'f=$1; umask 022; cat > \"$f.hoist-new\" || exit 1; if [ -e \"$f\" ]; then cp -p \"$f\" \"$f.hoist-pr"
              "ev\" || exit 1; fi; mv -f \"$f.hoist-new\" \"$f\" || exit 1; if ! out=$(eval \"$2\" 2>&1); then echo \"$out\""
              " >&2; if [ -e \"$f.hoist-prev\" ]; then mv -f \"$f.hoist-prev\" \"$f\"; else rm -f \"$f\"; fi; exit 3; fi; r"
              "m -f \"$f.hoist-prev\"; old=; if command -v nginx >/dev/null 2>&1; then pf=$(nginx -T 2>/dev/null | se"
              "d -n '\\''s/^[[:space:]]*pid[[:space:]][[:space:]]*\\([^;]*\\);.*/\\1/p'\\'' | head -n 1); [ -n \"$pf\" ] |"
              "| pf=$(nginx -V 2>&1 | sed -n '\\''s/.*--pid-path=\\([^ ]*\\).*/\\1/p'\\''); m=$(cat \"$pf\" 2>/dev/null); "
              "[ -n \"$m\" ] && old=$(ps -o pid= --ppid \"$m\" 2>/dev/null); fi; eval \"$3\" || exit $?; i=0; while [ -n "
              "\"$old\" ] && [ $i -lt 250 ]; do busy=; for p in $old; do t=$(tr '\\''\\000'\\'' '\\'' '\\'' < /proc/$p/cmd"
              "line 2>/dev/null) || continue; case $t in *'\\''shutting down'\\''*|'\\'''\\'') ;; *) busy=1;; esac; don"
              "e; [ -z \"$busy\" ] && break; sleep 0.02; i=$((i + 1)); done; exit 0' sh /etc/nginx/conf.d/hoist-web.c"
              "onf 'nginx -t' 'nginx -s reload'");
}

TEST(Nginx, ConnectionsToDrainedMembersAreCountedWithSs) {
    auto c = lb::nginx_connections_command({{"10.0.1.11", 8080, false, ""}, {"fd00::5", 8081, false, ""}});
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->render(),
              "sh -c 'command -v ss >/dev/null 2>&1 || exit 127; ss -Htn state established \"$1\" | wc -l' sh "
              "'( dst 10.0.1.11:8080 or dst [fd00::5]:8081 )'");
    EXPECT_FALSE(lb::nginx_connections_command({{"web1.internal", 8080, false, ""}}).has_value())
        << "ss cannot filter on a host name: the driver waits the whole drain_time";
}

TEST(Nginx, ConnectionsPerMemberAreThePeersSsPrints) {
    std::vector<lb::Member> ms{{"10.0.1.11", 8080, false, ""}, {"10.0.1.1", 8080, false, ""}, {"fd00::5", 8081, false, ""}};
    auto c = lb::nginx_connections_per_member_command(ms);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->render(),
              "sh -c 'command -v ss >/dev/null 2>&1 || exit 127; ss -Htn state established \"$1\" | awk '\\''{print "
              "$4}'\\''' sh '( dst 10.0.1.11:8080 or dst 10.0.1.1:8080 or dst [fd00::5]:8081 )'");
    // ss -Htn state established prints: Recv-Q Send-Q Local:Port Peer:Port; the command keeps the peer
    std::string peers = "10.0.1.11:8080\n10.0.1.11:8080\n[fd00::5]:8081\n";
    EXPECT_EQ(lb::connections_to(peers, ms[0]), 2);
    EXPECT_EQ(lb::connections_to(peers, ms[1]), 0) << "10.0.1.1:8080 is not a prefix match of 10.0.1.11:8080";
    EXPECT_EQ(lb::connections_to(peers, ms[2]), 1);
    EXPECT_FALSE(lb::nginx_connections_per_member_command({{"web1.internal", 8080, false, ""}}).has_value());
}

TEST(Files, WriteStdinAtomicallyIsTheSftpUploadAsOneCommand) {
    // the upload of hosts without SFTP: the content on stdin only, never on the command line
    EXPECT_EQ(remote::write_stdin_atomically(".hoist/web/web-v1.env", ".hoist/web/.web-v1.env.hoist-00aa11bb22cc", 0600)
                  .render(),
              "sh -c 'umask 077 && mkdir -p -- \"$(dirname -- \"$1\")\" && "
              "if [ -d \"$1\" ]; then echo \"$1 is a directory\" >&2; false; fi && "
              "umask \"$4\" && set -C && true > \"$2\" || { cat > /dev/null; exit 1; }; set +C; "
              "cat > \"$2\" && chmod -- \"$3\" \"$2\" && { sync -- \"$2\" 2>/dev/null || sync; } && "
              "mv -f -- \"$2\" \"$1\" || { rm -f -- \"$2\"; cat > /dev/null; exit 1; }' "
              "sh .hoist/web/web-v1.env .hoist/web/.web-v1.env.hoist-00aa11bb22cc 0600 0177");
    // the umask gives the temp file its final mode at birth; odd paths stay one quoted argument
    auto conf = remote::write_stdin_atomically("/etc/app dir/a'b.conf", "/etc/app dir/.a'b.conf.hoist-1", 0644);
    EXPECT_EQ(conf.argv.at(4), "/etc/app dir/a'b.conf");
    EXPECT_EQ(conf.argv.at(5), "/etc/app dir/.a'b.conf.hoist-1");
    EXPECT_EQ(conf.argv.at(6), "0644");
    EXPECT_EQ(conf.argv.at(7), "0133");
    EXPECT_NE(conf.render().find(" '/etc/app dir/a'\\''b.conf' "), std::string::npos) << conf.render();
    EXPECT_EQ(remote::write_stdin_atomically("x", ".x.hoist-1", 0755).argv.at(7), "0022");
}

TEST(Files, StateCommands) {
    EXPECT_EQ(remote::append_stdin(".hoist/web/history.jsonl").render(),
              "sh -c 'umask 077 && mkdir -p \"$(dirname \"$1\")\" && cat >> \"$1\"' sh .hoist/web/history.jsonl");
    EXPECT_EQ(remote::lock_release(".hoist/web", "").render().substr(0, 8), "sh -c '[");
    EXPECT_EQ(remote::start("docker", "web-v1").render(), "docker start web-v1");
    EXPECT_EQ(remote::pull_if_missing("docker", "r/x:1").render(),
              "sh -c '\"$1\" image inspect \"$2\" >/dev/null 2>&1 || \"$1\" pull --quiet \"$2\"' sh docker r/x:1");
}
