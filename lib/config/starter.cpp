#include "config/starter.hpp"

namespace hoist::config {

std::string starter_pipeline(const std::string& service) {
    std::string s = R"(# hoist pipeline: `hoist validate` checks it, `hoist plan` shows what a deploy would do.
# Every key is described in the pipeline reference of hoist's README.
service: SERVICE                        # names containers, labels, the lock and the history
image: registry.example.com/acme/SERVICE  # registry host[:port]/repository, no tag
tag: ${GIT_SHA:-}                       # empty: the build context's git commit, else a timestamp

registry:
  # Without username/password, credentials come from ~/.docker/config.json.
  username: ${REGISTRY_USER:-}
  password: ${REGISTRY_PASSWORD:-}      # never printed, never written to disk by hoist

build:
  context: .
  dockerfile: Dockerfile
  builder: native                       # native (no daemon, no RUN) | docker (Docker Engine at $DOCKER_HOST)

hosts:                                  # "[user@]host[:port]" or {address, user, port}
  - 10.0.1.11
  - 10.0.1.12

ssh:
  user: deploy
  host_key_checking: strict             # strict | accept-new | off
  # proxy_jump: ec2-user@bastion.example.com

container:
  port: 8080                            # the app's port inside the container
  host_port: 8080                       # published on each host; the load balancer targets it
  env:
    APP_ENV: production
  # secret_env: [DATABASE_URL]          # values from hoist's environment, shipped in a 0600 file
  stop_timeout: 30s

healthcheck:
  path: /healthz
  expect_status: 200-399
  healthy_threshold: 2
  deadline: 60s

load_balancer:
  type: nginx                           # nginx | haproxy | alb | none
  host: 10.0.1.5
  upstream: SERVICE
  config_path: /etc/nginx/conf.d/hoist-SERVICE.conf
  drain_time: 5s

strategy:
  type: rolling                         # rolling | blue_green
  max_unavailable: 1
  on_failure: rollback                  # rollback | halt

# stages:
#   staging:
#     hosts: [10.0.2.11]
)";
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        if (s.compare(i, 7, "SERVICE") == 0) {
            out += service;
            i += 7;
        } else {
            out += s[i++];
        }
    }
    return out;
}

}  // namespace hoist::config
