#include "oci/blob_stream.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/error.hpp"

namespace hoist::oci {

namespace {
Error io_error(const std::string& path, const std::string& what) { return Error(ExitCode::build_push, path + ": " + what); }
}  // namespace

FileRangeStream::FileRangeStream(const std::string& path, std::int64_t offset, std::int64_t length)
    : m_path(path), m_offset(offset), m_length(length) {
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) throw io_error(path, std::strerror(errno));
    if (m_length < 0) {
        struct stat st {};
        ::fstat(m_fd, &st);
        m_length = st.st_size - offset;
    }
    ::posix_fadvise(m_fd, m_offset, m_length, POSIX_FADV_SEQUENTIAL);
}

FileRangeStream::~FileRangeStream() {
    if (m_fd >= 0) ::close(m_fd);
}

std::size_t FileRangeStream::read(char* buf, std::size_t size) {
    std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(size), m_length - m_done));
    if (want == 0) return 0;
    ssize_t n;
    do {
        n = ::pread(m_fd, buf, want, m_offset + m_done);
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw io_error(m_path, std::strerror(errno));
    if (n == 0) throw io_error(m_path, "file is shorter than expected (changed while pushing?)");
    m_done += n;
    return static_cast<std::size_t>(n);
}

GzipStream::GzipStream(std::unique_ptr<BlobStream> source, int level) : m_source(std::move(source)), m_in(1 << 20) {
    // windowBits 15 + 16: gzip wrapper with a zeroed header (no name, mtime 0).
    if (deflateInit2(&m_z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw Error(ExitCode::build_push, "zlib: deflateInit2 failed");
}

GzipStream::~GzipStream() { deflateEnd(&m_z); }

std::size_t GzipStream::read(char* buf, std::size_t size) {
    if (m_finished) return 0;
    m_z.next_out = reinterpret_cast<Bytef*>(buf);
    m_z.avail_out = static_cast<uInt>(size);
    while (m_z.avail_out > 0 && !m_finished) {
        if (m_z.avail_in == 0 && !m_source_done) {
            std::size_t n = m_source->read(m_in.data(), m_in.size());
            if (n == 0) m_source_done = true;
            m_z.next_in = reinterpret_cast<Bytef*>(m_in.data());
            m_z.avail_in = static_cast<uInt>(n);
        }
        int rc = deflate(&m_z, m_source_done ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_END) m_finished = true;
        else if (rc != Z_OK && rc != Z_BUF_ERROR) throw Error(ExitCode::build_push, "zlib: deflate failed");
    }
    return size - m_z.avail_out;
}

bool is_gzip(const std::string& path, std::int64_t offset) {
    FileRangeStream s(path, offset, 2);
    unsigned char magic[2] = {0, 0};
    std::size_t got = 0;
    while (got < 2) {
        std::size_t n = s.read(reinterpret_cast<char*>(magic) + got, 2 - got);
        if (n == 0) break;
        got += n;
    }
    return got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

}  // namespace hoist::oci
