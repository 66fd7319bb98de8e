#include "oci/image_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "oci/media_types.hpp"
#include "util/error.hpp"

namespace hoist::oci {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
Error io_error(const std::string& path, const std::string& what) {
    return Error(ExitCode::build_push, path + ": " + what);
}

std::string temp_name(const std::string& dir) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[32];
    std::snprintf(buf, sizeof buf, ".tmp-%016llx", static_cast<unsigned long long>(rng()));
    return dir + "/" + buf;
}

/// An exclusive flock held for the lifetime of the object.
class FileLock {
public:
    explicit FileLock(const std::string& path) {
        m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (m_fd < 0) throw io_error(path, std::strerror(errno));
        while (::flock(m_fd, LOCK_EX) != 0 && errno == EINTR) {}
    }
    ~FileLock() { ::close(m_fd); }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int m_fd = -1;
};
}  // namespace

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(path, std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file_atomic(const std::string& path, std::string_view data) {
    std::string dir = fs::path(path).parent_path().string();
    std::string tmp = temp_name(dir.empty() ? "." : dir);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw io_error(tmp, std::strerror(errno));
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        if (!out.flush()) throw io_error(tmp, "write failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        std::remove(tmp.c_str());
        throw io_error(path, std::strerror(e));
    }
}

BlobWriter::BlobWriter(std::string blobs_dir) : m_dir(std::move(blobs_dir)), m_tmp(temp_name(m_dir)) {
    m_file = std::fopen(m_tmp.c_str(), "wb");
    if (!m_file) throw io_error(m_tmp, std::strerror(errno));
}

BlobWriter::BlobWriter(BlobWriter&& o) noexcept
    : m_dir(std::move(o.m_dir)), m_tmp(std::move(o.m_tmp)), m_file(o.m_file), m_hash(std::move(o.m_hash)),
      m_size(o.m_size) {
    o.m_file = nullptr;
    o.m_tmp.clear();
}

BlobWriter::~BlobWriter() {
    if (m_file) std::fclose(m_file);
    if (!m_tmp.empty()) std::remove(m_tmp.c_str());
}

void BlobWriter::write(const void* data, std::size_t size) {
    if (std::fwrite(data, 1, size, m_file) != size) throw io_error(m_tmp, std::strerror(errno));
    m_hash.update(data, size);
    m_size += static_cast<std::int64_t>(size);
}

Descriptor BlobWriter::commit(std::string media_type) {
    if (std::fclose(m_file) != 0) {
        m_file = nullptr;
        throw io_error(m_tmp, "write failed");
    }
    m_file = nullptr;
    Digest d = m_hash.finish();
    std::string final_path = m_dir + "/" + d.hex;
    if (std::rename(m_tmp.c_str(), final_path.c_str()) != 0) throw io_error(final_path, std::strerror(errno));
    m_tmp.clear();
    return Descriptor{std::move(media_type), d, m_size, {}, {}};
}

std::string ImageStore::default_dir() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    if (xdg && *xdg) return std::string(xdg) + "/hoist";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.cache/hoist";
}

ImageStore::ImageStore(std::string dir, bool create) : m_dir(std::move(dir)) {
    std::error_code ec;
    if (!fs::exists(m_dir + "/oci-layout")) {
        if (!create) throw io_error(m_dir, "not an OCI image layout (no oci-layout file)");
        fs::create_directories(m_dir + "/blobs/sha256", ec);
        if (ec) throw io_error(m_dir, ec.message());
        write_file_atomic(m_dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    }
    if (create) {
        fs::create_directories(m_dir + "/blobs/sha256", ec);
        if (!fs::exists(m_dir + "/index.json"))
            write_file_atomic(m_dir + "/index.json", R"({"schemaVersion":2,"manifests":[]})");
    }
}

std::string ImageStore::blob_path(const Digest& d) const { return m_dir + "/blobs/" + d.algorithm + "/" + d.hex; }

bool ImageStore::has_blob(const Digest& d) const { return fs::exists(blob_path(d)); }

std::string ImageStore::read_blob(const Digest& d) const {
    std::string bytes = read_file(blob_path(d));
    if (d.algorithm == "sha256" && sha256_of(bytes) != d)
        throw io_error(blob_path(d), "content does not match its digest " + d.str() + " (corrupt store)");
    return bytes;
}

Descriptor ImageStore::put_blob(std::string_view bytes, std::string media_type) {
    Digest d = sha256_of(bytes);
    if (!has_blob(d)) write_file_atomic(blob_path(d), bytes);
    return Descriptor{std::move(media_type), d, static_cast<std::int64_t>(bytes.size()), {}, {}};
}

BlobWriter ImageStore::begin_blob() { return BlobWriter(m_dir + "/blobs/sha256"); }

std::vector<Descriptor> ImageStore::entries() const {
    std::string path = m_dir + "/index.json";
    if (!fs::exists(path)) return {};
    return parse_index(read_file(path), path).manifests;
}

std::optional<Descriptor> ImageStore::resolve(const std::string& ref) const {
    for (auto& d : entries()) {
        auto it = d.annotations.find(ref_name_annotation);
        if (it != d.annotations.end() && it->second == ref) return d;
    }
    return std::nullopt;
}

void ImageStore::tag(const std::string& ref, const Descriptor& manifest) {
    FileLock lock(m_dir + "/index.json.lock");
    Index index{std::string(media::oci_index), entries(), {}};
    std::erase_if(index.manifests, [&](const Descriptor& d) {
        auto it = d.annotations.find(ref_name_annotation);
        return it != d.annotations.end() && it->second == ref;
    });
    Descriptor entry = manifest;
    entry.annotations[ref_name_annotation] = ref;
    index.manifests.push_back(entry);
    write_file_atomic(m_dir + "/index.json", to_json(index).dump(2));
}

std::optional<Descriptor> ImageStore::compressed_for(const Digest& diff_id) const {
    std::string path = m_dir + "/diffids/" + diff_id.algorithm + "/" + diff_id.hex;
    if (!fs::exists(path)) return std::nullopt;
    json j = json::parse(read_file(path), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    try {
        return descriptor_from_json(j, path);
    } catch (const Error&) {
        return std::nullopt;  // a damaged cache entry only costs a recompression
    }
}

void ImageStore::remember_compressed(const Digest& diff_id, const Descriptor& compressed) {
    std::error_code ec;
    fs::create_directories(m_dir + "/diffids/" + diff_id.algorithm, ec);
    if (ec) return;  // the cache is an optimisation; failing to write it is not an error
    try {
        write_file_atomic(m_dir + "/diffids/" + diff_id.algorithm + "/" + diff_id.hex, to_json(compressed).dump());
    } catch (const Error&) {
    }
}

}  // namespace hoist::oci
