#include "image/layer_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "image/archive_message.hpp"
#include "image/parallel_gzip.hpp"
#include "oci/blob_stream.hpp"
#include "oci/media_types.hpp"
#include "util/error.hpp"

namespace hoist::image {
namespace {

struct ArchiveFree {
    void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;
using EntryPtr = std::unique_ptr<archive_entry, EntryFree>;

/// A file descriptor closed on scope exit.
class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

/// Where libarchive's output goes: hashed as the diff ID, then compressed into the blob.
struct Output {
    oci::Sha256 diff;
    ParallelGzip* gzip = nullptr;
    std::int64_t size = 0;
};

la_ssize_t on_write(archive*, void* client, const void* buf, size_t n) {
    auto* out = static_cast<Output*>(client);
    out->diff.update(buf, n);
    out->gzip->write(buf, n);
    out->size += static_cast<std::int64_t>(n);
    return static_cast<la_ssize_t>(n);
}

[[noreturn]] void archive_fail(archive* a, const std::string& what) {
    throw Error(ExitCode::build_push, "writing layer: " + what + ": " + archive_message(a));
}

oci::Digest write_file_data(archive* a, const LayerEntry& e, bool hash) {
    oci::Sha256 h;
    if (e.content) {
        h.update(*e.content);
        if (archive_write_data(a, e.content->data(), e.content->size()) < 0) archive_fail(a, e.path);
        return h.finish();
    }
    Fd fd(::open(e.source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));  // sources are resolved: never a link
    if (fd.get() < 0) throw Error(ExitCode::build_push, e.source + ": " + std::strerror(errno));
    static thread_local std::vector<char> buf(1 << 18);
    std::int64_t left = e.size;
    while (left > 0) {
        ssize_t n = ::read(fd.get(), buf.data(), std::min<std::int64_t>(left, buf.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(ExitCode::build_push, e.source + ": " + std::strerror(errno));
        if (n == 0) break;
        if (hash) h.update(buf.data(), static_cast<std::size_t>(n));
        if (archive_write_data(a, buf.data(), static_cast<size_t>(n)) < 0) archive_fail(a, e.path);
        left -= n;
    }
    char extra;
    if (left != 0 || ::read(fd.get(), &extra, 1) > 0)
        throw Error(ExitCode::build_push, e.source + ": file changed size while the layer was written; build again");
    return hash ? h.finish() : oci::Digest{};
}

}  // namespace

WrittenLayer write_layer(const std::vector<LayerEntry>& entries, oci::ImageStore& store, const LayerWriteOptions& options) {
    const std::int64_t mtime = options.mtime;
    WrittenLayer result;
    result.contents.resize(entries.size());
    oci::BlobWriter blob = store.begin_blob();
    ParallelGzip gzip([&blob](const void* p, std::size_t n) { blob.write(p, n); }, oci::default_gzip_level);
    if (options.previous) gzip.reuse(*options.previous);
    Output out;
    out.gzip = &gzip;

    ArchivePtr a(archive_write_new());
    if (!a) throw Error(ExitCode::build_push, "writing layer: out of memory");
    // pax_restricted: plain ustar headers unless a member needs PAX (long names, big ids/sizes).
    if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK) archive_fail(a.get(), "format");
    archive_write_set_bytes_in_last_block(a.get(), 1);  // no padding to 10 KiB after the end marker
    if (archive_write_open2(a.get(), &out, nullptr, on_write, nullptr, nullptr) != ARCHIVE_OK)
        archive_fail(a.get(), "open");

    EntryPtr entry(archive_entry_new());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        archive_entry_clear(entry.get());
        archive_entry_set_pathname(entry.get(), e.path.c_str());
        archive_entry_set_uid(entry.get(), e.uid);
        archive_entry_set_gid(entry.get(), e.gid);
        archive_entry_set_mtime(entry.get(), mtime, 0);
        switch (e.type) {
        case EntryType::dir:
            archive_entry_set_filetype(entry.get(), AE_IFDIR);
            break;
        case EntryType::symlink:
            archive_entry_set_filetype(entry.get(), AE_IFLNK);
            archive_entry_set_symlink(entry.get(), e.link.c_str());
            break;
        case EntryType::file:
            archive_entry_set_filetype(entry.get(), AE_IFREG);
            archive_entry_set_size(entry.get(), e.size);
            break;
        }
        archive_entry_set_perm(entry.get(), e.mode & 07777);
        if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) archive_fail(a.get(), e.path);
        if (e.type == EntryType::file) {
            const auto* known = options.known_contents;
            bool have = known && i < known->size() && !(*known)[i].empty();
            result.contents[i] = write_file_data(a.get(), e, !have);
            if (have) result.contents[i] = (*known)[i];
        }
    }
    if (archive_write_close(a.get()) != ARCHIVE_OK) archive_fail(a.get(), "close");
    gzip.finish();

    result.blocks = gzip.blocks();
    result.reused_blocks = gzip.reused();
    result.diff_id = out.diff.finish();
    result.tar_size = out.size;
    result.blob = blob.commit(std::string(oci::media::oci_layer_gzip));
    store.remember_compressed(result.diff_id, result.blob);
    return result;
}

}  // namespace hoist::image
