// The exact commands hoist runs on hosts, and the one place they are quoted.
#include <gtest/gtest.h>

#include "lb/nginx.hpp"
#include "remote/docker.hpp"

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
              "--label hoist.version=v2 --label hoist.color=blue --publish 8081:8080 --stop-timeout 2 "
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
    EXPECT_EQ(lb::render_nginx_upstream("web", "web", {{"10.0.1.11:8080", true}, {"10.0.1.12:8080", false}}),
              "# Managed by hoist for service 'web'. Rewritten on every deploy: do not edit.\n"
              "upstream web {\n"
              "    server 10.0.1.11:8080 down;\n"
              "    server 10.0.1.12:8080;\n"
              "}\n");
}
