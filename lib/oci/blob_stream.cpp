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

void FileRangeStream::read_at(char* buf, std::size_t size, std::int64_t offset) const {
    if (offset < 0 || offset + static_cast<std::int64_t>(size) > m_length)
        throw io_error(m_path, "read beyond the blob's range");
    std::size_t got = 0;
    while (got < size) {
        ssize_t n = ::pread(m_fd, buf + got, size - got, m_offset + offset + static_cast<std::int64_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw io_error(m_path, std::strerror(errno));
        if (n == 0) throw io_error(m_path, "file is shorter than expected (changed while pushing?)");
        got += static_cast<std::size_t>(n);
    }
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
