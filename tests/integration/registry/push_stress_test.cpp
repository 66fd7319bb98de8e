// Cold pushes of one multi-layer docker-archive, over and over, with both cores kept busy by
// other processes: every push must succeed and give the same manifest digest. This is the run
// that found the push engine's compressor giving a different (valid) encoding of the same layer
// about once in ten pushes, which failed the next push of that layer as "the local copy is
// corrupt" (see oci/gzip_stream.hpp). Bounded: about a minute on this 2-core machine.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "watchdog.hpp"

using namespace hoist;
using namespace hoist::itest;

namespace {

/// `n` processes spinning on a core each until destroyed.
class BusyCores {
public:
    explicit BusyCores(int n) {
        for (int i = 0; i < n; ++i) m_loops.emplace_back(std::vector<std::string>{"sh", "-c", "while :; do :; done"}, "/dev/null");
    }

private:
    std::vector<Background> m_loops;
};

TEST(PushStress, TwentyColdPushesWithBusyCoresAllGiveOneManifestDigest) {
    hoist::testing::extend_budget(std::chrono::seconds(360));
    // ~230 MB in three layers: text-like files, random bytes, mixed (tests/bench/push/mkimage.py);
    // 20 pushes compress ~4,600 1 MiB chunks, where igzip gave about one variant in 5,000.
    const std::string archive = test_archive(1.0);
    LocalRegistry reg;
    BusyCores busy(2);
    std::map<std::string, int> digests;
    std::set<std::string> layer_digests;
    const auto t0 = std::chrono::steady_clock::now();
    // tests/tsan.sh runs fewer (HOIST_STRESS_PUSHES) under ThreadSanitizer, which is 5-15 times slower
    const char* env = std::getenv("HOIST_STRESS_PUSHES");
    const int pushes = env ? std::max(1, std::atoi(env)) : 20;
    for (int i = 0; i < pushes; ++i) {
        TempDir cache;  // cold: nothing remembered from an earlier push, every layer compressed again
        const std::string ref = reg.host() + "/stress/app-" + std::to_string(i) + ":v1";
        auto r = run_hoist({"-o", "json", "push", "--insecure", "--from", "docker-archive:" + archive, "--to", ref},
                           {{"XDG_CACHE_HOME", cache.path}});
        ASSERT_EQ(r.exit_code, 0) << "push " << i << " failed:\n" << r.err;
        auto pushed = r.event("pushed");
        ASSERT_TRUE(pushed.is_object()) << r.out;
        ++digests[pushed["digest"].get<std::string>()];
        for (const auto& e : r.events())
            if (e.value("event", "") == "blob" && e.value("blob", "").rfind("layer", 0) == 0)
                layer_digests.insert(e["digest"].get<std::string>());
    }
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t0).count();
    std::string seen;
    for (const auto& [d, n] : digests) seen += "\n  " + d + " x" + std::to_string(n);
    EXPECT_EQ(digests.size(), 1u) << "the same archive pushed cold gave different manifests:" << seen;
    EXPECT_EQ(layer_digests.size(), 3u) << "three layers, each always compressed to the same bytes";
    std::printf("[ measured ] %d cold pushes of %s with 2 busy cores in %lld s, manifest digests:%s\n",
                pushes, archive.c_str(), static_cast<long long>(secs), seen.c_str());
}

}  // namespace
