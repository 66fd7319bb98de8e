#pragma once
// What the SSH integration tests share: the test fleet's facts (from $HOIST_FLEET_JSON, written by
// `tests/fleet/fleet up`), connect helpers, temp files and small process helpers.
// Without HOIST_FLEET_JSON every test FAILS with a message: a missing fleet must never look like a pass.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ssh/connect.hpp"
#include "util/process.hpp"

namespace hoist::ssh::itest {

struct FleetInfo {
    nlohmann::json json;
    std::string name, dir, user, known_hosts;
    std::string key_ed25519, key_ecdsa, key_rsa;
    std::vector<std::string> hosts;          ///< addresses of h1..hN
    std::string bastion, proxy_jump;         ///< empty when the fleet has none
    std::vector<std::string> bastion_hosts;  ///< reachable only through the bastion
};

/// Loads the fleet or records a fatal failure (callers: ASSERT_NO_FATAL_FAILURE / fixture SetUp).
const FleetInfo& fleet();

class FleetTest : public ::testing::Test {
protected:
    void SetUp() override;
    const FleetInfo& f() const { return *m_fleet; }
    /// An endpoint for host `address` with the given key (default ed25519).
    Endpoint endpoint(const std::string& address, const std::string& key = "") const;
    /// Strict checking against the fleet's known_hosts.
    ConnectOptions options(ssh::HostKeyChecking checking = ssh::HostKeyChecking::strict,
                           const std::string& known_hosts = "") const;
    /// A fresh temporary directory, removed after the test.
    std::string temp_dir();
    std::vector<std::string> m_warnings;

private:
    const FleetInfo* m_fleet = nullptr;
    std::vector<std::string> m_temp_dirs;

protected:
    void TearDown() override;
};

/// `sh -c script` on the controller; fails the test when it exits non-zero.
std::string sh(const std::string& script);
/// A unique marker for commands, so tests can find their own processes.
std::string marker();
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

}  // namespace hoist::ssh::itest
