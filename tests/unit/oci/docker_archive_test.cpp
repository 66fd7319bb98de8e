// registry.direct's tar: what `docker load` reads. Checked with GNU tar (an independent reader)
// and byte by byte: names, sizes, padding, the end blocks, the manifest naming every layer while
// holding only the ones sent.
#include "oci/docker_archive.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/pipeline.hpp"
#include "deploy/direct.hpp"
#include "deploy/observe.hpp"
#include "deploy/plan.hpp"
#include "oci/media_types.hpp"
#include "registry/sources.hpp"
#include "remote/docker.hpp"
#include "deploy/engine_api.hpp"
#include "ssh/error.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"
#include "../test_support.hpp"

using namespace hoist;
using namespace hoist::oci;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/hoist-archive-test-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

/// A three-layer image in a store: layer blobs of 1, 600 and 1024 bytes (odd sizes: padding).
std::string make_image(ImageStore& s, const std::string& ref, std::vector<std::string> contents = {}) {
    if (contents.empty()) contents = {"a", std::string(600, 'b'), std::string(1024, 'c')};
    Manifest m;
    m.media_type = std::string(media::oci_manifest);
    nlohmann::json ids = nlohmann::json::array();
    for (std::size_t i = 0; i < contents.size(); ++i) {
        m.layers.push_back(s.put_blob(contents[i], std::string(media::oci_layer_gzip)));
        ids.push_back("sha256:" + std::string(64, static_cast<char>('0' + i)));
    }
    nlohmann::json config = {{"architecture", "amd64"}, {"os", "linux"}, {"rootfs", {{"type", "layers"}, {"diff_ids", ids}}}};
    m.config = s.put_blob(config.dump(), std::string(media::oci_config));
    s.tag(ref, s.put_blob(serialize(m), std::string(media::oci_manifest)));
    return ref;
}

std::string drain(ArchiveStream& st, std::size_t chunk) {
    std::string out;
    std::vector<char> b(chunk);
    while (std::size_t n = st.read(b.data(), b.size())) out.append(b.data(), n);
    return out;
}

}  // namespace

TEST(DockerArchive, TarHoldsTheManifestTheConfigAndOnlyTheLayersSent) {
    TempDir t;
    ImageStore s(t.path + "/store");
    auto img = archive_image(s, make_image(s, "acme/app:v1"));
    ASSERT_EQ(img.layers.size(), 3u);
    ArchiveStream st(img, 1);
    std::string tar = drain(st, 7);  // odd chunks: state carried across reads
    EXPECT_EQ(st.bytes_read(), static_cast<std::int64_t>(tar.size()));
    EXPECT_EQ(tar.size() % 512, 0u);
    EXPECT_EQ(tar.substr(tar.size() - 1024), std::string(1024, '\0'));
    std::ofstream(t.path + "/x.tar", std::ios::binary) << tar;
    auto list = run_process({"tar", "-tvf", t.path + "/x.tar"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    auto names = run_process({"tar", "-tf", t.path + "/x.tar"}).out;
    EXPECT_EQ(names, "manifest.json\n" + img.config.digest.hex + ".json\n" + img.layers[1].blob.digest.hex +
                         "/layer.tar\n" + img.layers[2].blob.digest.hex + "/layer.tar\n");
    ASSERT_EQ(run_process({"tar", "-xf", t.path + "/x.tar", "-C", t.path}).exit_code, 0);
    std::ifstream in(t.path + "/" + img.layers[1].blob.digest.hex + "/layer.tar");
    std::string layer((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(layer, std::string(600, 'b'));
    auto manifest = nlohmann::json::parse(std::ifstream(t.path + "/manifest.json"));
    ASSERT_EQ(manifest.size(), 1u);
    EXPECT_EQ(manifest[0]["Config"], img.config.digest.hex + ".json");
    EXPECT_TRUE(manifest[0]["RepoTags"].is_null()) << "tagged only after the ID is checked";
    EXPECT_EQ(manifest[0]["Layers"].size(), 3u) << "every layer named, present or not";
}

TEST(DockerArchive, LayersPresentFollowsChainsFromTheBottom) {
    TempDir t;
    ImageStore s(t.path + "/store");
    auto img = archive_image(s, make_image(s, "acme/app:v1"));
    std::string d0 = img.layers[0].diff_id.str(), d1 = img.layers[1].diff_id.str(), d2 = img.layers[2].diff_id.str();
    EXPECT_EQ(layers_present(img, {}), 0u);
    EXPECT_EQ(layers_present(img, {{d0}}), 1u);
    EXPECT_EQ(layers_present(img, {{d0, "sha256:other"}, {d0, d1}}), 2u);
    EXPECT_EQ(layers_present(img, {{d1, d2}}), 0u) << "a layer on another base is another chain";
    EXPECT_EQ(layers_present(img, {{d0, d1, d2, "sha256:more"}}), 3u);
    EXPECT_EQ(bytes_to_send(img, 0), 1 + 600 + 1024);
    EXPECT_EQ(bytes_to_send(img, 2), 1024);
    EXPECT_EQ(bytes_to_send(img, 3), 0);
}

TEST(DockerArchive, ABlobShorterThanItsDescriptorStopsTheStream) {
    TempDir t;
    ImageStore s(t.path + "/store");
    auto img = archive_image(s, make_image(s, "acme/app:v1"));
    fs::resize_file(s.blob_path(img.layers[2].blob.digest), 100);
    ArchiveStream st(img, 0);
    EXPECT_THROW(drain(st, 4096), Error);
}

TEST(DockerArchive, UnknownRefAndZstdLayersAreRefused) {
    TempDir t;
    ImageStore s(t.path + "/store");
    EXPECT_THROW(archive_image(s, "acme/none:v1"), Error);
    Manifest m;
    m.media_type = std::string(media::oci_manifest);
    m.layers.push_back(s.put_blob("z", std::string(media::oci_layer_zstd)));
    m.config = s.put_blob(R"({"rootfs":{"type":"layers","diff_ids":["sha256:)" + std::string(64, 'a') + R"("]}})",
                          std::string(media::oci_config));
    s.tag("acme/z:v1", s.put_blob(serialize(m), std::string(media::oci_manifest)));
    try {
        archive_image(s, "acme/z:v1");
        FAIL() << "a zstd layer docker 20.10 cannot load was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("zstd"), std::string::npos) << e.what();
    }
}

TEST(DockerArchive, HostAnswersAreParsedDefensively) {
    auto h = deploy::parse_layer_lists("sha256:aa [\"sha256:1\",\"sha256:2\"]\n"
                                       "bb [\"sha256:1\"]\n"           // podman: bare hex IDs
                                       "garbage\n"
                                       "cc {\"not\":\"a list\"}\n"
                                       "dd [1,2]\n"
                                       "\n");
    ASSERT_EQ(h.ids.size(), 2u);
    EXPECT_EQ(h.ids[0], "sha256:aa");
    EXPECT_EQ(h.ids[1], "sha256:bb");
    EXPECT_EQ(h.layer_lists[0], (std::vector<std::string>{"sha256:1", "sha256:2"}));
}

namespace {

config::Pipeline direct_pipeline(const std::string& runtime = "docker") {
    auto r = hoist::test::load("service: web\nimage: acme/web\nregistry: {direct: true}\nhosts: [10.0.1.11, 10.0.1.12, 10.0.1.13]\n"
                               "container: {port: 8080, runtime: " + runtime + "}\n", {});
    EXPECT_TRUE(r.ok()) << hoist::test::messages(r);
    return r.pipeline;
}

}  // namespace

TEST(DirectPlan, EachHostGetsWhatItLacksAndAHostWithTheImageOnlyATag) {
    TempDir t;
    ImageStore s(t.path + "/store");
    auto img = std::make_shared<const ArchiveImage>(archive_image(s, make_image(s, "acme/web:v2")));
    auto p = direct_pipeline();
    deploy::FleetState state;
    state.observed = true;
    state.hosts["10.0.1.11"].layer_lists = std::vector<std::vector<std::string>>{};  // nothing
    state.hosts["10.0.1.12"].layer_lists = std::vector<std::vector<std::string>>{
        {img->layers[0].diff_id.str(), img->layers[1].diff_id.str()}};  // the previous release: 2 of 3
    state.hosts["10.0.1.13"].layer_lists = std::vector<std::vector<std::string>>{};
    state.hosts["10.0.1.13"].image_ids = {img->config.digest.str()};  // the image itself
    auto plan = deploy::make_plan(p, "v2", state, {.direct_image = img});
    std::map<std::string, const deploy::Step*> send;
    for (const auto& st : plan.steps) {
        EXPECT_NE(st.action, deploy::Action::pull) << "no registry: nothing is pulled";
        if (st.action == deploy::Action::send || (st.action == deploy::Action::check && st.detail.find("nothing to send") != std::string::npos))
            send[st.target] = &st;
        if (st.action == deploy::Action::run) {
            EXPECT_NE(st.commands().at(0).render().find("--pull never"), std::string::npos) << "run never reaches for a registry";
        }
    }
    ASSERT_EQ(send.size(), 3u);
    auto transfer = [&](const char* host) {
        auto* st = send[host]->as<deploy::step::Send>();
        return st ? st->transfer : std::nullopt;
    };
    ASSERT_TRUE(transfer("10.0.1.11"));
    EXPECT_EQ(transfer("10.0.1.11")->first, 0u);
    EXPECT_EQ(transfer("10.0.1.11")->bytes, 1 + 600 + 1024);
    ASSERT_TRUE(transfer("10.0.1.12"));
    EXPECT_EQ(transfer("10.0.1.12")->first, 2u);
    EXPECT_EQ(transfer("10.0.1.12")->bytes, 1024);
    EXPECT_NE(send["10.0.1.12"]->detail.find("send 1 of 3 layers"), std::string::npos) << send["10.0.1.12"]->detail;
    EXPECT_FALSE(transfer("10.0.1.13"));
    EXPECT_EQ(send["10.0.1.13"]->commands().at(0).render(), "docker tag " + img->config.digest.hex + " acme/web:v2");
    auto j = deploy::plan_to_json(plan);
    bool bytes_in_json = false;
    for (const auto& st : j["steps"])
        if (st.contains("transfer") && st["target"] == "10.0.1.12") bytes_in_json = st["transfer"]["bytes"] == 1024;
    EXPECT_TRUE(bytes_in_json) << j.dump();
    // the load is checked against the config digest, then tagged
    std::string load = send["10.0.1.11"]->commands().at(0).render();
    EXPECT_NE(load.find(img->config.digest.hex), std::string::npos) << load;
    EXPECT_NE(load.find("load --quiet"), std::string::npos) << load;
}

TEST(DirectPlan, PodmanHostsGetEveryLayerAndRollbacksUseTheKeptImage) {
    TempDir t;
    ImageStore s(t.path + "/store");
    auto img = std::make_shared<const ArchiveImage>(archive_image(s, make_image(s, "acme/web:v2")));
    auto p = direct_pipeline("podman");
    deploy::FleetState state;
    state.observed = true;
    for (const auto* h : {"10.0.1.11", "10.0.1.12", "10.0.1.13"})
        state.hosts[h].layer_lists = std::vector<std::vector<std::string>>{{img->layers[0].diff_id.str()}};
    auto plan = deploy::make_plan(p, "v2", state, {.direct_image = img});
    int sends = 0;
    for (const auto& st : plan.steps)
        if (st.action == deploy::Action::send) {
            ++sends;
            ASSERT_TRUE(st.as<deploy::step::Send>() && st.as<deploy::step::Send>()->transfer);
            EXPECT_EQ(st.as<deploy::step::Send>()->transfer->first, 0u) << "podman load opens every layer the tar names";
        }
    EXPECT_EQ(sends, 3);
    auto rb = deploy::make_plan(p, "v2", state, {.pull_if_missing = true});
    for (const auto& st : rb.steps) {
        EXPECT_NE(st.action, deploy::Action::send) << "a rollback sends nothing: the previous image is kept";
        EXPECT_NE(st.action, deploy::Action::pull);
    }
}

TEST(DirectPlan, ImageWithoutARegistryHostIsValidOnlyWithDirect) {
    auto ok = hoist::test::load("service: web\nimage: acme/web\nregistry: {direct: true}\nhosts: [h1]\ncontainer: {port: 80}\n", {});
    EXPECT_TRUE(ok.ok()) << hoist::test::messages(ok);
    auto bad = hoist::test::load("service: web\nimage: acme/web\nhosts: [h1]\ncontainer: {port: 80}\n", {});
    EXPECT_FALSE(bad.ok());
    EXPECT_NE(hoist::test::messages(bad).find("registry host"), std::string::npos) << hoist::test::messages(bad);
}

namespace {

/// A host for load_on_host: the CLI's load recorded (its stdin drained), the Engine's socket
/// refused, answering, or failing halfway.
class LoadHost : public ssh::Connection {
public:
    enum class Engine { refused, loads, fails_midway };
    explicit LoadHost(Engine e) : m_engine(e) {}
    const std::string& label() const override { return m_label; }
    ssh::ExecResult exec(const std::string& command_line, const ssh::ExecOptions& o) override {
        commands.push_back(command_line);
        std::vector<char> b(4096);
        if (o.input_source)
            while (std::size_t n = o.input_source(b.data(), b.size())) cli_input.append(b.data(), n);
        ssh::ExecResult r;
        r.exit_code = 0;
        return r;
    }
    using Connection::exec;
    void upload(const std::string&, std::string_view, int) override {}
    ssh::HttpResponse http_get(int, const std::string&, std::chrono::milliseconds) override { return {}; }
    std::string unix_socket_request(const std::string& path, const std::string& request,
                                    std::chrono::milliseconds) override {
        requests.push_back(path + " " + request.substr(0, request.find("\r\n")));
        return "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
    }
    std::string unix_socket_stream(const std::string& path, const std::string& head,
                                   const std::function<std::size_t(char*, std::size_t)>& body,
                                   std::chrono::milliseconds) override {
        if (m_engine == Engine::refused) throw ssh::Error(ssh::ErrorKind::channel, "administratively prohibited");
        requests.push_back(path + " " + head.substr(0, head.find("\r\n")));
        stream_head = head;
        std::vector<char> b(1000);  // small: many chunks
        while (std::size_t n = body(b.data(), b.size())) {
            stream_body.append(b.data(), n);
            if (m_engine == Engine::fails_midway) throw ssh::Error(ssh::ErrorKind::disconnected, "connection lost");
        }
        return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(loaded_answer.size()) + "\r\n\r\n" + loaded_answer;
    }
    std::vector<std::string> commands, requests;
    std::string cli_input, stream_head, stream_body, loaded_answer;

private:
    Engine m_engine;
    std::string m_label = "hoist@10.0.1.11:22";
};

/// Decodes a chunked body; false when it is malformed or has no last chunk.
bool unchunk(std::string in, std::string& out) {
    for (;;) {
        auto eol = in.find("\r\n");
        if (eol == std::string::npos) return false;
        std::size_t size = std::stoul(in.substr(0, eol), nullptr, 16);
        if (size == 0) return in.substr(eol) == "\r\n\r\n";
        if (in.size() < eol + 2 + size + 2 || in.substr(eol + 2 + size, 2) != "\r\n") return false;
        out += in.substr(eol + 2, size);
        in = in.substr(eol + 2 + size + 2);
    }
}

}  // namespace

namespace {

/// `img` from layer `first` on into `h` as a deploy's send step loads it: through `socket` when it
/// answers, else the CLI's `docker load` of the same tar.
ssh::ExecResult load(LoadHost& h, const ArchiveImage& img, std::size_t first, std::int64_t& bytes, bool& via_engine,
                     const std::string& socket = "/var/run/docker.sock") {
    return deploy::load_on_host(h, socket, img, first, remote::load_image("docker", img.config.digest.hex, img.ref),
                                std::chrono::minutes(1), nullptr, bytes, via_engine);
}

/// A three-layer image in a fresh store, to load into scripted hosts.
class EngineLoadOnHost : public ::testing::Test {
protected:
    TempDir m_dir;
    ImageStore m_store{m_dir.path};
    ArchiveImage img = archive_image(m_store, make_image(m_store, "acme/web:v2"));
};

}  // namespace

TEST_F(EngineLoadOnHost, TheEngineGetsTheSameTarChunkedThenTheTag) {
    ArchiveStream reference(img, 1);
    std::string tar = drain(reference, 777);
    LoadHost h(LoadHost::Engine::loads);
    h.loaded_answer = "{\"stream\":\"Loaded image ID: sha256:" + img.config.digest.hex + "\\n\"}\n";
    std::int64_t bytes = 0;
    bool via_engine = false;
    auto r = load(h, img, 1, bytes, via_engine);
    EXPECT_TRUE(r.ok()) << r.err;
    EXPECT_TRUE(via_engine);
    EXPECT_TRUE(h.commands.empty()) << "no process on the host: " << h.commands.front();
    ASSERT_EQ(h.requests.size(), 2u);
    EXPECT_EQ(h.requests[0], "/var/run/docker.sock POST /images/load?quiet=1 HTTP/1.1");
    EXPECT_EQ(h.requests[1], "/var/run/docker.sock POST " + deploy::engine_tag_path(img.config.digest.hex, img.ref) + " HTTP/1.1");
    EXPECT_NE(h.stream_head.find("\r\nTransfer-Encoding: chunked\r\n"), std::string::npos) << h.stream_head;
    EXPECT_NE(h.stream_head.find("\r\nConnection: close\r\n\r\n"), std::string::npos) << h.stream_head;
    std::string decoded;
    ASSERT_TRUE(unchunk(h.stream_body, decoded)) << "not valid chunked encoding";
    EXPECT_EQ(decoded, tar) << "the very tar the CLI's load would read";
    EXPECT_EQ(bytes, static_cast<std::int64_t>(reference.bytes_read()));

    // another image loaded than the one sent: a failure, and no tag
    LoadHost liar(LoadHost::Engine::loads);
    liar.loaded_answer = "{\"stream\":\"Loaded image ID: sha256:" + std::string(64, 'e') + "\\n\"}\n";
    r = load(liar, img, 1, bytes, via_engine);
    EXPECT_FALSE(r.ok());
    EXPECT_NE(r.err.find("not the image sent"), std::string::npos) << r.err;
    EXPECT_EQ(liar.requests.size(), 1u) << "not tagged";
}

TEST_F(EngineLoadOnHost, ARefusedSocketFallsBackToTheCliAHalfSentOneDoesNot) {
    ArchiveStream reference(img, 0);
    std::string tar = drain(reference, 4096);
    auto cli = remote::load_image("docker", img.config.digest.hex, img.ref);
    std::int64_t bytes = 0;
    bool via_engine = true;
    LoadHost refused(LoadHost::Engine::refused);  // sshd: AllowStreamLocalForwarding no
    auto r = load(refused, img, 0, bytes, via_engine);
    EXPECT_TRUE(r.ok());
    EXPECT_FALSE(via_engine);
    ASSERT_EQ(refused.commands.size(), 1u);
    EXPECT_EQ(refused.commands[0], cli.render());
    EXPECT_EQ(refused.cli_input, tar);
    // no socket named (podman, or a tcp:// DOCKER_HOST): the CLI
    LoadHost none(LoadHost::Engine::loads);
    r = load(none, img, 0, bytes, via_engine, "");
    EXPECT_FALSE(via_engine);
    EXPECT_EQ(none.commands.size(), 1u);
    EXPECT_TRUE(none.requests.empty());
    // the connection lost while sending: the host's failure, not a second try by another way
    LoadHost cut(LoadHost::Engine::fails_midway);
    EXPECT_THROW(load(cut, img, 0, bytes, via_engine), ssh::Error);
    EXPECT_TRUE(cut.commands.empty());
}

// `push --to-hosts --from`: an image from elsewhere lands in the local store under the pipeline's
// reference with its manifest's exact bytes; a blob that does not hash to what its manifest names
// is refused and nothing is tagged.
TEST(ImportToStore, ALayoutImageLandsUnderTheRefAndACorruptBlobIsRefused) {
    TempDir t;
    ImageStore src(t.path + "/src"), dst(t.path + "/dst");
    make_image(src, "x:v1");
    auto top = registry::import_to_store(registry::plan_from_layout(src, registry::select_in_layout(src, "x:v1")),
                                         dst, "acme/app:v1");
    ASSERT_TRUE(dst.resolve("acme/app:v1"));
    EXPECT_EQ(dst.resolve("acme/app:v1")->digest, src.resolve("x:v1")->digest);
    EXPECT_EQ(top.digest, src.resolve("x:v1")->digest);
    auto img = archive_image(dst, "acme/app:v1");  // what registry.direct sends from: every blob there
    EXPECT_EQ(img.layers.size(), 3u);
    for (const auto& l : img.layers) EXPECT_TRUE(dst.has_blob(l.blob.digest));

    make_image(src, "x:v2", {"d", std::string(700, 'e')});
    Manifest m = parse_manifest(src.read_blob(src.resolve("x:v2")->digest), "x:v2");
    std::ofstream(src.blob_path(m.layers[1].digest), std::ios::binary | std::ios::trunc) << std::string(700, 'E');
    try {
        registry::import_to_store(registry::plan_from_layout(src, registry::select_in_layout(src, "x:v2")), dst,
                                  "acme/app:v2");
        ADD_FAILURE() << "a corrupt blob was imported";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("the source is corrupt"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(dst.resolve("acme/app:v2"));
}
