#include "image/parallel_gzip.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "oci/digest.hpp"
#include "util/error.hpp"

namespace hoist::image {

ParallelGzip::ParallelGzip(Sink out, int level, std::size_t block, int max_in_flight)
    : m_out(std::move(out)), m_level(level), m_block(block), m_max(max_in_flight < 1 ? 1 : max_in_flight) {
    if (level < 0 || level > 3) throw Error(ExitCode::usage, "gzip level must be 0..3");
    m_buf.reserve(m_block);
}

ParallelGzip::~ParallelGzip() {
    // Unfinished (an exception is unwinding): wait for workers, discard their output.
    for (auto& f : m_pending)
        if (f.valid()) f.wait();  // finish() may have taken (and rethrown) the front one
}

void ParallelGzip::write(const void* data, std::size_t size) {
    auto* p = static_cast<const char*>(data);
    m_total += size;
    while (size > 0) {
        std::size_t take = std::min(size, m_block - m_buf.size());
        m_buf.append(p, take);
        p += take;
        size -= take;
        if (m_buf.size() == m_block) submit();
    }
}

void ParallelGzip::submit() {
    std::string data;
    data.swap(m_buf);
    m_buf.reserve(m_block);
    m_any = true;
    int level = m_level;
    std::size_t index = m_blocks.size() + m_pending.size();
    const GzipBlock* before = index < m_previous.blocks.size() ? &m_previous.blocks[index] : nullptr;
    std::string path = m_previous.path;
    auto task = std::make_shared<std::packaged_task<Done()>>([data = std::move(data), level, before, path] {
        Done d;
        d.sha256 = oci::sha256_of(data).hex;
        if (before && before->sha256 == d.sha256) {
            // Same bytes at the same place as last time: copy the member instead of deflating.
            d.member.resize(std::size_t(before->length));
            int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            bool ok = fd >= 0 && ::pread(fd, d.member.data(), d.member.size(), before->offset) == ssize_t(d.member.size());
            if (fd >= 0) ::close(fd);
            if (ok) {
                d.reused = true;
                return d;
            }
        }
        d.member = oci::gzip_member(data.data(), data.size(), level);
        return d;
    });
    m_pending.push_back(task->get_future());
    oci::run_on_compressor_pool([task] { (*task)(); });
    // Emit finished members in order, keeping at most m_max in flight.
    while (m_pending.size() > m_max) {
        Done d = m_pending.front().get();
        m_pending.pop_front();
        emit(std::move(d));
    }
}

void ParallelGzip::finish() {
    if (m_finished) return;
    m_finished = true;
    if (!m_buf.empty() || !m_any) submit();  // empty input still gives one (empty) member
    while (!m_pending.empty()) {
        Done d = m_pending.front().get();
        m_pending.pop_front();
        emit(std::move(d));
    }
}

void ParallelGzip::emit(Done d) {
    m_blocks.push_back(GzipBlock{d.sha256, m_out_offset, std::int64_t(d.member.size())});
    m_out_offset += std::int64_t(d.member.size());
    m_reused += d.reused;
    m_out(d.member.data(), d.member.size());
}

std::string gzip_parallel(const std::string& data, int level, std::size_t block) {
    std::string out;
    ParallelGzip gz([&out](const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); }, level, block);
    gz.write(data.data(), data.size());
    gz.finish();
    return out;
}

}  // namespace hoist::image
