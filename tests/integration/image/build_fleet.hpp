#pragma once
// What the build integration tests share: the test fleet (HOIST_FLEET_JSON; missing -> the test
// FAILS, never skips), the docker CLI against a fleet host's dockerd, hoist builds and pushes,
// and a listing of a container's root filesystem from `docker export`.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/process.hpp"

namespace hoist::itest {

/// fleet.json, or null after ADD_FAILURE saying how to get one.
nlohmann::json build_fleet_or_fail();

/// `docker ARGS` against the first fleet host's dockerd (classic builder: DOCKER_BUILDKIT=0, the
/// default `docker build` of the dockerd 20.10 the fleet runs).
ProcessResult fleet_docker(const nlohmann::json& fleet, const std::vector<std::string>& args);

/// Writes a hoist.yml in `dir` building `context` as `image` (tag "t") with `args`.
void write_build_pipeline(const std::string& dir, const std::string& image, const std::string& context,
                          const std::map<std::string, std::string>& args);

/// Every path of `image`'s root filesystem (from `docker create` + `docker export`), one line
/// each: "path type mode uid:gid sha256-or-link-target", sorted.
std::string rootfs_listing(const nlohmann::json& fleet, const std::string& image);

/// The fields of `docker image inspect`'s .Config that the oracle compares, empties as null.
nlohmann::json compared_config(const nlohmann::json& fleet, const std::string& image);

}  // namespace hoist::itest
