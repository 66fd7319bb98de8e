#pragma once
// What the AWS integration tests share: the test fleet (from $HOIST_FLEET_JSON; without it every
// test FAILS with a message), the local AWS endpoint (tests/fleet/fake-aws, started and stopped
// by each test), app containers on the fleet hosts, loadgen through the fleet's nginx, and
// clients signed with the seed's test keys.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/credentials.hpp"
#include "aws/elbv2.hpp"
#include "aws/query.hpp"

namespace hoist::aws::itest {

struct FleetHost {
    std::string address, docker_host;
};

struct AwsFleet {
    nlohmann::json json;
    std::string name, dir, bridge, nginx_url, upstream_file, image_v1, image_v2, image_unhealthy;
    std::vector<FleetHost> hosts;
};

/// Loads the fleet or records a failure (empty `hosts`).
const AwsFleet& fleet();

constexpr const char* kRegion = "eu-west-1";
constexpr const char* kKeyId = "AKIAHOISTITEST000001";
constexpr const char* kSecret = "hoist-itest-secret/not-a-real-key+0123456789";
std::string arn(const std::string& kind, const std::string& name);  ///< arn:aws:elasticloadbalancing:...

/// The local endpoint with one seed; stopped (and nginx restored) on destruction.
class FakeAws {
public:
    FakeAws(const std::string& id, nlohmann::json seed, bool imds = false, bool nginx = true);
    ~FakeAws();
    FakeAws(const FakeAws&) = delete;
    FakeAws& operator=(const FakeAws&) = delete;
    const std::string& endpoint() const { return m_endpoint; }
    const std::string& imds() const { return m_imds; }
    std::string log() const;

private:
    std::string m_id, m_dir, m_endpoint, m_imds, m_upstream_before;
};

/// Runs launch template user data on fleet host `host` the way cloud-init runs it at first boot
/// (through ssh, as the host's login user), with the machine's AWS CLI reaching `endpoint` with the
/// test keys, as an instance's CLI reaches AWS with its role. `dir`: a directory of the test's
/// (made traversable) for the CLI wrapper and the boot log, which is returned in `log`.
struct Boot {
    int exit_code = -1;
    std::string out, log;
};
Boot boot_user_data(const std::string& ssh_config, const std::string& host, const std::string& dir,
                    const std::string& endpoint, const std::string& script);

/// A seed with the test keys, fast health checks, no groups yet.
nlohmann::json base_seed();
Credentials test_keys();
/// A QueryClient for `service` at `endpoint`, signed with `keys`; `transport` defaults to libcurl.
QueryClient client(const Service& service, const std::string& endpoint, Credentials keys = test_keys(),
                   QueryOptions options = {});
std::shared_ptr<Elbv2> elbv2(const std::string& endpoint);

/// App containers `name` on hosts, published on `port`; removed on destruction.
class Containers {
public:
    Containers() = default;
    ~Containers();
    void run(const FleetHost& h, const std::string& name, int port, const std::string& image);
    void remove(const FleetHost& h, const std::string& name);

private:
    std::vector<std::pair<FleetHost, std::string>> m_running;
};

/// tests/fleet/loadgen in the background; stop() returns its JSON summary.
class Loadgen {
public:
    explicit Loadgen(const std::string& url, std::vector<std::string> extra = {});
    ~Loadgen();
    nlohmann::json stop();

private:
    int m_pid = -1;
    std::string m_out;
};

/// GET url, the body ("" on failure).
std::string http_get(const std::string& url);
/// `sh -c script`; fails the test on a non-zero exit.
std::string sh(const std::string& script);
std::string read_file(const std::string& path);

class AwsFleetTest : public ::testing::Test {
protected:
    void SetUp() override;
    const AwsFleet& f() const { return *m_fleet; }

private:
    const AwsFleet* m_fleet = nullptr;
};

}  // namespace hoist::aws::itest
