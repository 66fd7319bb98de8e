#pragma once
// A deploy summary as the deploy engine writes it (spec section 4 plus per-host previous_version,
// duration_ms, error and steps): three hosts, the last one failed its health check.
#include <nlohmann/json.hpp>

namespace hoist::test {

inline nlohmann::json failed_deploy_summary() {
    return nlohmann::json::parse(R"({
      "event": "summary", "time": "2026-11-22T05:01:02.123Z", "command": "deploy",
      "result": "rolled_back", "exit_code": 1, "service": "web", "tag": "abc123", "previous_tag": "def456",
      "strategy": "rolling", "duration_ms": 8123,
      "phases": {"build_ms": 2000, "push_ms": 1100, "rollout_ms": 5023},
      "hosts": [
        {"host": "10.0.1.11", "result": "rolled_back", "version": "def456", "previous_version": "def456",
         "duration_ms": 2100,
         "steps": [{"action": "start container", "duration_ms": 900, "ok": true},
                   {"action": "health check", "duration_ms": 1200, "ok": true}]},
        {"host": "10.0.1.12", "result": "unchanged", "version": "def456", "duration_ms": 0},
        {"host": "10.0.1.13", "result": "failed", "version": "def456", "previous_version": "def456",
         "duration_ms": 60000, "error": "health check: HTTP 503 <Service Unavailable> for 60 s",
         "steps": [{"action": "start container", "duration_ms": 800, "ok": true},
                   {"action": "health check", "duration_ms": 59200, "ok": false,
                    "error": "HTTP 503 <Service Unavailable> for 60 s"}]}
      ]})");
}

inline nlohmann::json succeeded_deploy_summary() {
    return nlohmann::json::parse(R"({
      "event": "summary", "command": "deploy", "result": "succeeded", "exit_code": 0, "service": "web",
      "tag": "abc123", "previous_tag": "def456", "strategy": "blue_green", "duration_ms": 4200,
      "phases": {"build_ms": 0, "push_ms": 0, "rollout_ms": 4200},
      "hosts": [{"host": "10.0.1.11", "result": "updated", "version": "abc123", "duration_ms": 4100}]})");
}

}  // namespace hoist::test
