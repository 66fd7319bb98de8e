#include "image/docker_builder.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "image/archive_message.hpp"
#include "image/build_context.hpp"
#include "image/parallel_gzip.hpp"
#include "oci/media_types.hpp"
#include "oci/tar_index.hpp"
#include "registry/engine_endpoint.hpp"
#include "http/http.hpp"
#include "registry/sources.hpp"
#include "http/url.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/json_fields.hpp"

namespace hoist::image {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct WriteFree {
    void operator()(archive* a) const { archive_write_free(a); }
};

/// A temporary file removed at scope exit.
struct TempPath {
    std::string path;
    explicit TempPath(const std::string& suffix) {
        std::string tmpl = (fs::temp_directory_path() / ("hoist-docker-XXXXXX" + suffix)).string();
        int fd = ::mkstemps(tmpl.data(), int(suffix.size()));
        if (fd < 0) throw Error(ExitCode::build_push, "cannot create a temporary file: " + std::string(std::strerror(errno)));
        ::close(fd);
        path = tmpl;
    }
    ~TempPath() { std::remove(path.c_str()); }
    TempPath(const TempPath&) = delete;
    TempPath& operator=(const TempPath&) = delete;
};

void add_member(archive* a, const BuildContext& ctx, const ContextNode& n) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), n.rel.c_str());
    archive_entry_set_perm(e.get(), n.mode);
    archive_entry_set_mtime(e.get(), n.mtime_ns / 1000000000, 0);
    archive_entry_set_uid(e.get(), 0);  // the docker CLI sends the context as root's
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_filetype(e.get(), n.type == EntryType::dir ? AE_IFDIR : n.type == EntryType::symlink ? AE_IFLNK : AE_IFREG);
    if (n.type == EntryType::symlink) archive_entry_set_symlink(e.get(), n.link.c_str());
    if (n.type == EntryType::file) archive_entry_set_size(e.get(), n.size);
    if (archive_write_header(a, e.get()) != ARCHIVE_OK)
        throw Error(ExitCode::build_push, "build context: " + n.rel + ": " + archive_message(a));
    if (n.type != EntryType::file) return;
    int fd = ::open(ctx.absolute(n.rel).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ExitCode::build_push, ctx.absolute(n.rel) + ": " + std::strerror(errno));
    std::vector<char> buf(1 << 17);
    ssize_t r;
    while ((r = ::read(fd, buf.data(), buf.size())) > 0) archive_write_data(a, buf.data(), std::size_t(r));
    ::close(fd);
}

/// The context as Docker's CLI sends it: every non-excluded path, plus the Dockerfile and ignore files.
void write_context_tar(const BuildContext& ctx, const std::string& dockerfile_rel, const std::string& out) {
    std::unique_ptr<archive, WriteFree> a(archive_write_new());
    archive_write_set_format_pax_restricted(a.get());
    if (archive_write_open_filename(a.get(), out.c_str()) != ARCHIVE_OK)
        throw Error(ExitCode::build_push, out + ": " + archive_message(a.get()));
    ContextNode root;
    root.rel = ".";
    root.type = EntryType::dir;
    auto nodes = ctx.tree(root);
    std::set<std::string> sent;
    for (std::size_t i = 1; i < nodes.size(); ++i) {
        add_member(a.get(), ctx, nodes[i]);
        sent.insert(nodes[i].rel);
    }
    for (std::string always : {dockerfile_rel, dockerfile_rel + ".dockerignore", std::string(".dockerignore")}) {
        if (sent.count(always)) continue;
        ContextNode n;
        struct stat st {};
        if (::lstat(ctx.absolute(always).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        n.rel = always;
        n.type = EntryType::file;
        n.mode = st.st_mode & 07777;
        n.size = st.st_size;
        add_member(a.get(), ctx, n);
    }
    if (archive_write_close(a.get()) != ARCHIVE_OK) throw Error(ExitCode::build_push, out + ": " + archive_message(a.get()));
}

/// Splits the Engine's JSON-lines stream and turns each message into output or an error.
class ProgressStream {
public:
    explicit ProgressStream(const OutputCallback& cb) : m_cb(cb) {}
    void feed(const char* data, std::size_t n) {
        m_buf.append(data, n);
        std::size_t nl;
        while ((nl = m_buf.find('\n')) != std::string::npos) {
            line(m_buf.substr(0, nl));
            m_buf.erase(0, nl + 1);
        }
    }
    void finish() {
        if (!trim(m_buf).empty()) line(m_buf);
        m_buf.clear();
    }
    const std::string& error() const { return m_error; }

private:
    void line(const std::string& l) {
        if (trim(l).empty()) return;
        auto j = json::parse(l, nullptr, false);
        if (!j.is_object()) return;
        if (j.contains("error")) {
            m_error = j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump();
            return;
        }
        if (j.contains("stream") && j["stream"].is_string()) {
            m_pending += j["stream"].get<std::string>();
            std::size_t nl;
            while ((nl = m_pending.find('\n')) != std::string::npos) {
                std::string out = m_pending.substr(0, nl);
                m_pending.erase(0, nl + 1);
                if (m_cb && !trim(out).empty()) m_cb(out);
            }
        } else if (j.contains("status") && j["status"].is_string() && m_cb) {
            m_cb(j["status"].get<std::string>() + (j.contains("progress") ? " " + text_at(j, "progress") : ""));
        }
    }
    const OutputCallback& m_cb;
    std::string m_buf, m_pending, m_error;
};

}  // namespace

BuildResult build_with_docker(const NativeBuildOptions& o, const std::string& docker_host, oci::ImageStore& store,
                              const OutputCallback& on_output) {
    auto engine = registry::engine_endpoint(docker_host);
    const std::string& host = engine.host;
    std::string dockerfile_rel = fs::relative(o.dockerfile, o.context_dir).string();
    BuildContext ctx(o.context_dir, load_ignore_file(o.context_dir, o.dockerfile));
    TempPath context_tar(".tar");
    write_context_tar(ctx, dockerfile_rel, context_tar.path);

    // The Engine's tag for the image: hoist's reference, so `docker images` shows what was built.
    json buildargs = o.build_args, labels = o.labels;
    std::string query = "t=" + http::url_encode(o.reference) + "&dockerfile=" + http::url_encode(dockerfile_rel) +
                        "&buildargs=" + http::url_encode(buildargs.dump()) + "&labels=" + http::url_encode(labels.dump()) +
                        "&rm=1&forcerm=1";
    http::Request r = engine.request("POST", "/build?" + query);
    r.headers = {"Content-Type: application/x-tar"};
    // The Engine sends nothing while a RUN step is silent (`RUN sleep 60`, a quiet compiler), so the
    // registry's stall rule (30 s below 1 KB/s) would cut healthy builds; a build gets an hour instead.
    r.low_speed_time_s = 0;
    r.timeout_s = docker_build_timeout_s;
    int fd = ::open(context_tar.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ExitCode::build_push, context_tar.path + ": " + std::strerror(errno));
    struct FdClose {
        int fd;
        ~FdClose() { ::close(fd); }
    } closer{fd};
    r.body_size = std::int64_t(fs::file_size(context_tar.path));
    r.reader = [fd](char* buf, std::size_t n) -> std::size_t {
        ssize_t got = ::read(fd, buf, n);
        if (got < 0) throw Error(ExitCode::build_push, std::string("reading the build context: ") + std::strerror(errno));
        return std::size_t(got);
    };
    ProgressStream progress(on_output);
    r.sink = [&](const char* data, std::size_t n) {
        progress.feed(data, n);
        return true;
    };
    auto resp = http::perform(std::move(r));
    progress.finish();
    if (resp.curl_code != 0) throw Error(ExitCode::build_push, "Docker Engine at " + host + ": " + resp.curl_error);
    if (resp.status != 200) {
        throw Error(ExitCode::build_push, "Docker Engine at " + host + ": POST /build: HTTP " + std::to_string(resp.status) +
                                              (progress.error().empty() ? "" : ": " + progress.error()));
    }
    if (!progress.error().empty()) throw Error(ExitCode::build_push, "docker build failed: " + progress.error());

    TempPath saved(".tar");
    registry::save_from_daemon(o.reference, host, saved.path);
    BuildResult result;
    result.manifest = import_docker_archive(saved.path, o.reference, store);
    auto m = oci::parse_manifest(store.read_blob(result.manifest.digest), o.reference);
    result.config = m.config.digest;
    result.layers_built = int(m.layers.size());
    return result;
}

oci::Descriptor import_docker_archive(const std::string& archive_path, const std::string& reference, oci::ImageStore& store) {
    auto members = oci::index_tar(archive_path);
    auto read_member = [&](const std::string& name) {
        auto it = members.find(name);
        if (it == members.end()) throw Error(ExitCode::build_push, archive_path + ": no " + name + " in the image archive");
        std::string data(std::size_t(it->second.size), '\0');
        int fd = ::open(archive_path.c_str(), O_RDONLY | O_CLOEXEC);
        ssize_t got = fd < 0 ? -1 : ::pread(fd, data.data(), data.size(), it->second.offset);
        if (fd >= 0) ::close(fd);
        if (got != ssize_t(data.size())) throw Error(ExitCode::build_push, archive_path + ": cannot read " + name);
        return data;
    };
    auto manifest_json = json::parse(read_member("manifest.json"), nullptr, false);
    if (!manifest_json.is_array() || manifest_json.empty())
        throw Error(ExitCode::build_push, archive_path + ": manifest.json lists no image");
    const auto& image = manifest_json[0];
    std::string config_bytes = read_member(text_at(image, "Config"));
    auto config_json = json::parse(config_bytes, nullptr, false);
    // the Engine's answer, read as untrusted as any other: a field of the wrong type is absent
    json diff_ids = json::array();
    if (config_json.is_object() && config_json.contains("rootfs") && config_json["rootfs"].is_object() &&
        config_json["rootfs"].contains("diff_ids") && config_json["rootfs"]["diff_ids"].is_array())
        diff_ids = config_json["rootfs"]["diff_ids"];
    json layers = image.is_object() && image.contains("Layers") && image["Layers"].is_array() ? image["Layers"]
                                                                                              : json::array();

    oci::Manifest m;
    m.media_type = std::string(oci::media::docker_manifest);
    m.config = store.put_blob(config_bytes, std::string(oci::media::docker_config));
    std::size_t i = 0;
    for (const auto& layer_name : layers) {
        if (!layer_name.is_string())
            throw Error(ExitCode::build_push, archive_path + ": manifest.json names a layer that is not a file name");
        std::string name = layer_name.get<std::string>();
        auto diff = i < diff_ids.size() && diff_ids[i].is_string() ? oci::Digest::parse(diff_ids[i].get<std::string>())
                                                                   : std::nullopt;
        ++i;
        if (diff) {
            if (auto known = store.compressed_for(*diff); known && store.has_blob(known->digest)) {
                oci::Descriptor d = *known;
                d.media_type = std::string(oci::media::docker_layer_gzip);
                m.layers.push_back(d);
                continue;  // compressed before (an unchanged layer of an earlier build)
            }
        }
        auto it = members.find(name);
        if (it == members.end()) throw Error(ExitCode::build_push, archive_path + ": layer " + name + " is missing");
        oci::BlobWriter blob = store.begin_blob();
        oci::Sha256 diff_hash;
        {
            ParallelGzip gz([&blob](const void* p, std::size_t n) { blob.write(p, n); }, oci::default_gzip_level);
            int fd = ::open(archive_path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw Error(ExitCode::build_push, archive_path + ": " + std::strerror(errno));
            std::vector<char> buf(1 << 20);
            std::int64_t off = it->second.offset, left = it->second.size;
            while (left > 0) {
                ssize_t got = ::pread(fd, buf.data(), std::size_t(std::min<std::int64_t>(left, std::int64_t(buf.size()))), off);
                if (got <= 0) {
                    ::close(fd);
                    throw Error(ExitCode::build_push, archive_path + ": cannot read layer " + name);
                }
                diff_hash.update(buf.data(), std::size_t(got));
                gz.write(buf.data(), std::size_t(got));
                off += got;
                left -= got;
            }
            ::close(fd);
            gz.finish();
        }
        auto desc = blob.commit(std::string(oci::media::docker_layer_gzip));
        store.remember_compressed(diff_hash.finish(), desc);
        m.layers.push_back(desc);
    }
    auto manifest = store.put_blob(oci::serialize(m), m.media_type);
    store.tag(reference, manifest);
    return manifest;
}

}  // namespace hoist::image
