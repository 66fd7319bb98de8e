// registry.direct (spec section 7) on the real fleet: the image goes from the local store to each
// host's dockerd over the SSH connections, only the layers the host lacks; every layer is verified
// by the host's runtime (diff IDs) and the image is tagged only after its ID checks out.
// Nothing here touches a registry for the deploys: the local store is filled from the fleet's
// registry with skopeo beforehand (or by hoist's native builder), and the pipeline's image has no
// registry host.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "deploy_fixture.hpp"
#include "oci/digest.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace fs = std::filesystem;

class DirectTest : public DeployTest {
  protected:
    void SetUp() override {
        DeployTest::SetUp();
        if (HasFatalFailure()) return;
        m_cache = m_dir + "/cache";
        fs::create_directories(m_cache + "/hoist");
        setenv("XDG_CACHE_HOME", m_cache.c_str(), 1);  // hoist_bg's children inherit it
        // every host starts without images, so what is sent is known
        for (const auto& h : m_fleet["hosts"])
            docker(h, "image prune --all --force >/dev/null 2>&1; true");
    }
    void TearDown() override {
        unsetenv("XDG_CACHE_HOME");
        DeployTest::TearDown();
    }
    /// Copies the fleet's app image `tag` into the local store as acme/app:<tag>.
    void store(const std::string& tag) {
        auto r = run_process({"skopeo", "copy", "-q", "--src-tls-verify=false",
                              "docker://" + m_fleet["images"][tag].get<std::string>(),
                              "oci:" + m_cache + "/hoist:acme/app:" + tag});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    std::string direct_pipeline(const std::string& extra = "") {
        std::string path = pipeline(extra);
        std::string text = read(path);
        std::string from = "image: " + m_image + "\nregistry: { insecure: true }";
        auto at = text.find(from);
        EXPECT_NE(at, std::string::npos);
        text.replace(at, from.size(), "image: acme/app\nregistry: { direct: true }");
        std::ofstream(path) << text;
        return path;
    }
    std::string docker(const nlohmann::json& host, const std::string& args) const {
        return run_process({"sh", "-c", "docker -H " + host["docker_host"].get<std::string>() + " " + args}).out;
    }
    /// The "sent" events of a deploy's JSON output, by host.
    static std::map<std::string, nlohmann::json> sent(const HoistRun& r) {
        std::map<std::string, nlohmann::json> out;
        for (const auto& line : split(r.out, '\n')) {
            auto ev = nlohmann::json::parse(line, nullptr, false);
            if (ev.is_object() && ev.value("event", "") == "sent") out[ev["host"].get<std::string>()] = ev;
        }
        return out;
    }
    std::string m_cache;
};

TEST_F(DirectTest, FirstDeploySendsEveryLayerTheNextOnlyTheChangedOneUnderLoad) {
    store("v1");
    store("v2");
    direct_pipeline();
    auto first = hoist({"-o", "json", "deploy", "--tag", "v1"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    auto s1 = sent(first);
    ASSERT_EQ(s1.size(), 3u) << first.out;
    for (const auto& [h, ev] : s1) {
        EXPECT_EQ(ev["layers_sent"], ev["layers"]) << h << ": a host without images gets every layer";
        EXPECT_GE(ev["layers"].get<int>(), 2);
    }
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v1") << h;
    for (const auto& h : m_fleet["hosts"])
        EXPECT_NE(docker(h, "image inspect --format '{{.Id}}' acme/app:v1"), "") << "tagged on " << h["address"];

    // what a deploy of v2 will send, said by the plan (bytes per host)
    auto plan = hoist({"-o", "json", "plan", "--observe", "--tag", "v2"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find("\"layers_sent\":1"), std::string::npos) << plan.out;

    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto second = hoist({"-o", "json", "deploy", "--tag", "v2"});
    auto l = load.stop();
    ASSERT_EQ(second.exit_code, 0) << second.err;
    expect_no_failures(l, "direct deploy of v2");
    auto s2 = sent(second);
    ASSERT_EQ(s2.size(), 3u) << second.out;
    for (const auto& [h, ev] : s2) {
        EXPECT_EQ(ev["layers_sent"], 1) << h << ": only the layer v2 changed";
        EXPECT_EQ(ev["via"], "engine_api") << "the deploy's send step uses the socket its look found: " << h;
        // the bytes prove it: the changed layer is a few KB, the first send was the whole image
        EXPECT_LT(ev["bytes"].get<std::int64_t>() * 20, s1[h]["bytes"].get<std::int64_t>()) << h;
    }
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v2") << h;

    // a host that has the image already gets nothing; rollback needs no registry either
    auto again = hoist({"-o", "json", "deploy", "--tag", "v1"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(sent(again).empty()) << again.out;
    EXPECT_NE(again.err.find("nothing to send"), std::string::npos) << again.err;
    auto back = hoist({"rollback"});
    ASSERT_EQ(back.exit_code, 0) << back.err;
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v2") << h;
}

TEST_F(DirectTest, ALayerThatDoesNotMatchItsDigestIsRefusedAndNothingChanges) {
    store("v1");
    store("v2");
    direct_pipeline();
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    // Swap v2's top layer for another valid gzip tar (v1's top layer), so the bytes sent are a fine
    // layer that is not the one v2's config names: the host's runtime must refuse it.
    std::string store_dir = m_cache + "/hoist";
    auto index = nlohmann::json::parse(read(store_dir + "/index.json"));
    nlohmann::json* v2 = nullptr;
    nlohmann::json v1_manifest;
    for (auto& e : index["manifests"]) {
        auto m = nlohmann::json::parse(read(store_dir + "/blobs/sha256/" + e["digest"].get<std::string>().substr(7)));
        if (e["annotations"]["org.opencontainers.image.ref.name"] == "acme/app:v2") v2 = &e;
        else v1_manifest = m;
    }
    ASSERT_NE(v2, nullptr);
    auto m = nlohmann::json::parse(read(store_dir + "/blobs/sha256/" + (*v2)["digest"].get<std::string>().substr(7)));
    m["layers"].back() = v1_manifest["layers"].back();
    std::string bytes = m.dump();
    std::string hex = oci::sha256_of(bytes).hex;
    std::ofstream(store_dir + "/blobs/sha256/" + hex) << bytes;
    (*v2)["digest"] = "sha256:" + hex;
    (*v2)["size"] = bytes.size();
    std::ofstream(store_dir + "/index.json") << index.dump();

    auto r = hoist({"-o", "json", "deploy", "--tag", "v2"});
    EXPECT_EQ(r.exit_code, 1) << r.err;  // refused in pre-flight: every host serves what it served
    EXPECT_NE(to_lower(r.err).find("diffid"), std::string::npos) << "the runtime's refusal is shown: " << r.err;
    for (const auto& h : m_fleet["hosts"])
        EXPECT_EQ(trim(docker(h, "image inspect --format '{{.Id}}' acme/app:v2 2>/dev/null")), "")
            << "nothing tagged on " << h["address"];
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v1") << h;
}

TEST_F(DirectTest, KilledMidTransferLeavesNothingHalfLoadedAndTheNextDeploySucceeds) {
    // A native build on top of the app with a 96 MB incompressible layer: long enough to be cut.
    std::string registry = m_fleet["images"]["registry"].get<std::string>();
    {
        std::ofstream df(m_dir + "/Dockerfile");
        df << "FROM " << m_fleet["images"]["v1"].get<std::string>() << "\nCOPY big.bin /big.bin\n";
        auto r = run_process({"sh", "-c", "head -c 100663296 /dev/urandom > " + m_dir + "/big.bin"});
        ASSERT_EQ(r.exit_code, 0);
    }
    // the base comes from the fleet's plain-HTTP registry: the image is named there (insecure
    // applies to the pipeline's registry only), still with direct: the deploy never pushes
    std::string path = pipeline("build: { context: . }\n");
    std::string text = read(path);
    std::string from = "image: " + m_image + "\nregistry: { insecure: true }";
    text.replace(text.find(from), from.size(), "image: " + registry + "/hoist-test/big\nregistry: { insecure: true, direct: true }");
    std::ofstream(path) << text;

    auto bg = hoist_bg({"-o", "json", "deploy", "--tag", "big1"}, "killed");
    // kill hoist as soon as the first host's dockerd is receiving the tar
    auto import_dir = [this](const nlohmann::json& h) {
        // the data root is a filesystem mounted in the host's own mount namespace: seen through dockerd's
        std::string pid = trim(read(h["docker_pid_file"].get<std::string>()));
        return "/proc/" + pid + "/root" + h["docker_data_root"].get<std::string>() + "/tmp";
    };
    std::string tmp = import_dir(m_fleet["hosts"][0]);
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    bool receiving = false;
    while (!receiving && std::chrono::steady_clock::now() < until && bg->wait(std::chrono::milliseconds(1)) < 0) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(tmp, ec))
            if (e.path().filename().string().rfind("docker-import-", 0) == 0) receiving = true;
        if (!receiving) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    bg->signal(SIGKILL);
    bg->wait();
    ASSERT_TRUE(receiving) << "the send was never seen on the host: " << read(m_dir + "/killed.err");
    std::string out = read(m_dir + "/killed.out");
    EXPECT_EQ(out.find("\"event\":\"sent\""), std::string::npos) << "no host finished its transfer before the kill";

    std::string ref = registry + "/hoist-test/big:big1";
    // dockerd ends the cut load (its stdin closed) and keeps nothing of it
    for (const auto& h : m_fleet["hosts"]) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        std::string left = "ls " + import_dir(h) + " | grep -c docker-import";
        while (std::chrono::steady_clock::now() < deadline && trim(run_process({"sh", "-c", left}).out) != "0")
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        EXPECT_EQ(trim(docker(h, "image inspect --format '{{.Id}}' " + ref + " 2>/dev/null")), "")
            << "no tag after a cut transfer on " << h["address"];
    }
    ASSERT_EQ(hoist({"lock", "release"}).exit_code, 0);
    auto r = hoist({"-o", "json", "deploy", "--tag", "big1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(sent(r).size(), 3u) << r.out;
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v1") << h;
    for (const auto& h : m_fleet["hosts"])
        EXPECT_NE(trim(docker(h, "image inspect --format '{{.Id}}' " + ref)), "") << h["address"];
}

TEST_F(DirectTest, PodmanHostLoadsTheImageWithoutARegistryToo) {
    ASSERT_TRUE(m_fleet.contains("podman_hosts") && !m_fleet["podman_hosts"].empty())
        << "needs a fleet with a podman host: tests/fleet/fleet up --podman 1 (tests/run-all.sh does)";
    const auto& ph = m_fleet["podman_hosts"][0];
    std::string addr = ph["address"].get<std::string>();
    auto podman = [&](const std::string& args) {
        ProcessOptions o;
        o.env["CONTAINER_HOST"] = ph["container_host"].get<std::string>();
        return run_process({"sh", "-c", "podman " + args + " 2>/dev/null"}, o).out;
    };
    podman("ps -aq --filter label=hoist.service | xargs -r podman rm -f >/dev/null");
    podman("image rm --all --force >/dev/null");
    fs::remove_all(ph["home"].get<std::string>() + "/.hoist");
    store("v1");
    store("v2");
    const auto& s = m_fleet["ssh"];
    std::ofstream(m_dir + "/hoist.yml")
        << "service: app\nimage: acme/app\nregistry: { direct: true }\nhosts: [" << addr << "]\n"
        << "ssh: { user: " << s["user"].get<std::string>() << ", identity_files: [" << s["identity_file"].get<std::string>()
        << "], known_hosts: " << s["known_hosts"].get<std::string>() << ", host_key_checking: strict }\n"
        << "container: { runtime: podman, port: 8080, host_port: 8080, stop_timeout: 1s }\n"
        << "healthcheck: { path: /healthz, interval: 200ms, deadline: 10s }\n";
    for (const char* tag : {"v1", "v2"}) {
        auto r = hoist({"-o", "json", "deploy", "--tag", tag});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        auto sent_now = sent(r);
        ASSERT_EQ(sent_now.size(), 1u) << r.out;
        EXPECT_EQ(sent_now[addr]["layers_sent"], sent_now[addr]["layers"]) << "podman gets every layer";
        EXPECT_EQ(sent_now[addr]["via"], "cli") << "podman load";
        EXPECT_EQ(get(addr, 8080, "/version"), tag);
    }
    EXPECT_NE(trim(podman("image inspect --format '{{.Id}}' acme/app:v2")), "");
    podman("ps -aq --filter label=hoist.service | xargs -r podman rm -f >/dev/null");
}

TEST_F(DirectTest, PushToHostsSendsWhatEachHostLacksAndNothingTheSecondTime) {
    store("v1");
    direct_pipeline();
    auto first = hoist({"-o", "json", "push", "--to-hosts", "--tag", "v1"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    auto s1 = sent(first);
    ASSERT_EQ(s1.size(), 3u) << first.out;
    for (const auto& [h, ev] : s1) {
        EXPECT_EQ(ev["layers_sent"], ev["layers"]) << h;
        EXPECT_EQ(ev["via"], "engine_api") << "POST /images/load through direct-streamlocal: " << h;
    }
    for (const auto& h : m_fleet["hosts"])
        EXPECT_NE(trim(docker(h, "image inspect --format '{{.Id}}' acme/app:v1")), "") << h["address"];
    auto again = hoist({"-o", "json", "push", "--to-hosts", "--tag", "v1"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(sent(again).empty()) << again.out;
    // a deploy right after sends nothing either
    auto d = hoist({"-o", "json", "deploy", "--tag", "v1"});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    EXPECT_TRUE(sent(d).empty()) << d.out;
    // --to (a registry) and --to-hosts exclude each other
    EXPECT_EQ(hoist({"push", "--to-hosts", "--to", "x/y:z"}).exit_code, 2);
}

// The Engine builder's image (built by a dockerd, read back into hoist's store) goes the same way.
// The first host's dockerd is the build engine here, so it may hold every layer already.
TEST_F(DirectTest, TheEngineBuildersImageGoesToTheHostsToo) {
    std::string registry = m_fleet["images"]["registry"].get<std::string>();
    std::ofstream(m_dir + "/Dockerfile") << "FROM " << m_fleet["images"]["v1"].get<std::string>()
                                         << "\nRUN echo engine-built > /built.txt\n";
    std::string path = pipeline("build: { context: ., builder: docker }\n");
    std::string text = read(path);
    std::string from = "image: " + m_image + "\nregistry: { insecure: true }";
    text.replace(text.find(from), from.size(), "image: " + registry + "/hoist-test/engine-direct\nregistry: { insecure: true, direct: true }");
    std::ofstream(path) << text;
    setenv("DOCKER_HOST", m_fleet["hosts"][0]["docker_host"].get<std::string>().c_str(), 1);
    auto r = hoist({"-o", "json", "push", "--to-hosts", "--tag", "eb1"});
    unsetenv("DOCKER_HOST");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto s = sent(r);
    for (std::size_t i = 1; i < m_fleet["hosts"].size(); ++i) {
        const std::string h = m_fleet["hosts"][i]["address"];
        ASSERT_TRUE(s.count(h)) << h << " got nothing: " << r.out;
        EXPECT_GE(s[h]["layers_sent"].get<int>(), 1) << h;
    }
    for (const auto& h : m_fleet["hosts"])
        EXPECT_EQ(trim(docker(h, "run --rm " + registry + "/hoist-test/engine-direct:eb1 /bin/busybox cat /built.txt")),
                  "engine-built")
            << h["address"];
}

// An image built elsewhere (`push --from`, here a `docker save` tarball and an OCI layout) goes to
// the hosts the same way: imported into the local store as <image>:<tag>, then only what each
// host lacks is sent, and the hosts' image ID is the source's config digest.
TEST_F(DirectTest, PushToHostsFromAnArchiveOrALayoutBuiltElsewhere) {
    direct_pipeline();
    const std::string archive = m_dir + "/v1.tar", layout = m_dir + "/layout";
    auto copy = run_process({"skopeo", "copy", "-q", "--src-tls-verify=false",
                             "docker://" + m_fleet["images"]["v1"].get<std::string>(),
                             "docker-archive:" + archive + ":elsewhere/app:v1"});
    ASSERT_EQ(copy.exit_code, 0) << copy.err;
    copy = run_process({"skopeo", "copy", "-q", "--src-tls-verify=false",
                        "docker://" + m_fleet["images"]["v2"].get<std::string>(), "oci:" + layout + ":v2"});
    ASSERT_EQ(copy.exit_code, 0) << copy.err;
    auto config = run_process({"skopeo", "inspect", "--raw", "--config", "docker-archive:" + archive});
    ASSERT_EQ(config.exit_code, 0) << config.err;
    const std::string v1_id = oci::sha256_of(config.out).str();

    auto first = hoist({"-o", "json", "push", "--to-hosts", "--from", "docker-archive:" + archive, "--tag", "v1"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_NE(first.err.find("imported docker-archive:" + archive + " into the local image store as acme/app:v1"),
              std::string::npos)
        << first.err;
    auto s1 = sent(first);
    ASSERT_EQ(s1.size(), 3u) << first.out;
    for (const auto& [h, ev] : s1) EXPECT_EQ(ev["layers_sent"], ev["layers"]) << h;
    for (const auto& h : m_fleet["hosts"])
        EXPECT_EQ(trim(docker(h, "image inspect --format '{{.Id}}' acme/app:v1")), v1_id) << h["address"];

    // the same archive again: nothing to send; the v2 layout: only what v2 adds to v1
    auto again = hoist({"-o", "json", "push", "--to-hosts", "--from", "docker-archive:" + archive, "--tag", "v1"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(sent(again).empty()) << again.out;
    auto v2 = hoist({"-o", "json", "push", "--to-hosts", "--from", "oci:" + layout + ":v2", "--tag", "v2"});
    ASSERT_EQ(v2.exit_code, 0) << v2.err;
    auto s2 = sent(v2);
    ASSERT_EQ(s2.size(), 3u) << v2.out;
    for (const auto& [h, ev] : s2) {
        EXPECT_LT(ev["layers_sent"].get<int>(), ev["layers"].get<int>()) << h << ": v1's layers are there";
        EXPECT_GE(ev["layers_sent"].get<int>(), 1) << h;
    }
    for (const auto& h : m_fleet["hosts"])
        EXPECT_NE(trim(docker(h, "image inspect --format '{{.Id}}' acme/app:v2")), "") << h["address"];

    // a source that is not there: exit 5, nothing sent
    auto missing = hoist({"-o", "json", "push", "--to-hosts", "--from", "docker-archive:" + m_dir + "/none.tar", "--tag", "v3"});
    EXPECT_EQ(missing.exit_code, 5) << missing.err;
    EXPECT_TRUE(sent(missing).empty()) << missing.out;
}

}  // namespace hoist::dtest
