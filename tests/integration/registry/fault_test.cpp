// A real registry behind tests/fleet/lib/fault_proxy.py: answering 500 and 503, 429 with
// Retry-After, or slowly. hoist's push retries with backoff (honouring Retry-After) to the same
// digest skopeo sees; a registry that keeps failing ends in exit 5 with its error code and message.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include "fixture.hpp"
#include "util/process.hpp"

namespace hoist::itest {

namespace {

struct Proxy {
    int port = free_port();
    Background proc;
    TempDir dir;
    Proxy(const std::string& target, const std::vector<std::string>& fault) {
        std::vector<std::string> argv{std::string(HOIST_SOURCE_DIR) + "/tests/fleet/lib/fault_proxy.py", "--listen",
                                      "127.0.0.1:" + std::to_string(port), "--target", target};
        argv.insert(argv.end(), fault.begin(), fault.end());
        proc = Background(argv, dir.path + "/proxy.log");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (std::chrono::steady_clock::now() < deadline) {
            if (run_process({"bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port)}).exit_code == 0) return;
            if (proc.exited()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        std::ifstream in(dir.path + "/proxy.log");
        throw std::runtime_error("the fault proxy did not answer on port " + std::to_string(port) + ": " +
                                 std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
    }
    std::string host() const { return "127.0.0.1:" + std::to_string(port); }
};

HoistRun push(const std::string& archive, const std::string& ref, const TempDir& cache) {
    return run_hoist({"-o", "json", "push", "--from", "docker-archive:" + archive, "--to", ref},
                     {{"XDG_CACHE_HOME", cache.path}});
}

int retries(const HoistRun& r) {
    int n = 0;
    for (const auto& e : r.events()) n += e.value("event", "") == "blob_retry";
    return n;
}

}  // namespace

TEST(RegistryFaults, Transient500sAndA503AreRetriedToTheSameDigest) {
    LocalRegistry reg;
    Proxy proxy(reg.host(), {"--fail", "3", "--status", "500", "--fail-match", "/blobs/uploads/"});
    TempDir cache;
    std::string archive = test_archive(0.05);
    std::string ref = proxy.host() + "/acme/faulty:v1";
    auto r = push(archive, ref, cache);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GE(retries(r), 1) << r.out;
    EXPECT_EQ(skopeo_digest(reg.host() + "/acme/faulty:v1"), r.event("pushed")["digest"]);
}

TEST(RegistryFaults, TooManyRequestsHonoursRetryAfter) {
    LocalRegistry reg;
    Proxy proxy(reg.host(), {"--fail", "1", "--status", "429", "--retry-after", "2", "--fail-match", "/blobs/uploads/"});
    TempDir cache;
    std::string archive = test_archive(0.02);
    auto t0 = std::chrono::steady_clock::now();
    auto r = push(archive, proxy.host() + "/acme/throttled:v1", cache);
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    bool waited = false;
    for (const auto& e : r.events())
        if (e.value("event", "") == "blob_retry") waited = waited || e["delay_ms"].get<long>() >= 2000;
    EXPECT_TRUE(waited) << "Retry-After: 2 means at least 2000 ms: " << r.out;
    EXPECT_GE(secs, 2.0);
}

TEST(RegistryFaults, ARegistryThatKeepsFailingExits5WithItsMessage) {
    LocalRegistry reg;
    Proxy proxy(reg.host(), {"--fail", "1000", "--status", "503"});
    TempDir cache;
    auto r = push(test_archive(0.02), proxy.host() + "/acme/down:v1", cache);
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_NE(r.err.find("503"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("injected"), std::string::npos) << "the registry's own message is shown: " << r.err;
}

TEST(RegistryFaults, ASlowRegistryStillGetsTheWholeImage) {
    LocalRegistry reg;
    Proxy proxy(reg.host(), {"--delay-ms", "20"});
    TempDir cache;
    auto r = push(test_archive(0.02), proxy.host() + "/acme/slow:v1", cache);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(skopeo_digest(reg.host() + "/acme/slow:v1"), r.event("pushed")["digest"]);
}

}  // namespace hoist::itest
