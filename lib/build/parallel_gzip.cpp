#include "build/parallel_gzip.hpp"

namespace hoist::build {

ParallelGzip::ParallelGzip(Sink out, int level, std::size_t block, int max_in_flight)
    : m_out(std::move(out)), m_level(level), m_block(block), m_max(max_in_flight < 1 ? 1 : max_in_flight) {
    m_buf.reserve(m_block);
}

ParallelGzip::~ParallelGzip() {
    // Unfinished (an exception is unwinding): wait for workers, discard their output.
    for (auto& f : m_pending) f.wait();
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
    m_pending.push_back(std::async(std::launch::async, [data = std::move(data), level] {
        return oci::gzip_member(data.data(), data.size(), level);
    }));
    // Emit finished members in order, keeping at most m_max in flight.
    while (m_pending.size() > m_max) {
        std::string member = m_pending.front().get();
        m_pending.pop_front();
        m_out(member.data(), member.size());
    }
}

void ParallelGzip::finish() {
    if (m_finished) return;
    m_finished = true;
    if (!m_buf.empty() || !m_any) submit();  // empty input still gives one (empty) member
    while (!m_pending.empty()) {
        std::string member = m_pending.front().get();
        m_pending.pop_front();
        m_out(member.data(), member.size());
    }
}

std::string gzip_parallel(const std::string& data, int level, std::size_t block) {
    std::string out;
    ParallelGzip gz([&out](const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); }, level, block);
    gz.write(data.data(), data.size());
    gz.finish();
    return out;
}

}  // namespace hoist::build
