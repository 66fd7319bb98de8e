#include "build/parallel_gzip.hpp"

#include <zlib.h>

#include "util/error.hpp"

namespace hoist::build {
namespace {

/// Fixed header: no name, mtime 0, OS "unknown" (255) — nothing that varies between machines.
constexpr unsigned char gzip_header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};

std::string deflate_block(const std::string& in, int level, bool last) {
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw Error(ExitCode::build_push, "gzip: deflateInit2 failed");
    std::string out;
    out.resize(deflateBound(&z, in.size()) + 16);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&z, last ? Z_FINISH : Z_SYNC_FLUSH);
    bool ok = last ? rc == Z_STREAM_END : (rc == Z_OK && z.avail_in == 0);
    out.resize(out.size() - z.avail_out);
    deflateEnd(&z);
    if (!ok) throw Error(ExitCode::build_push, "gzip: deflate failed (" + std::to_string(rc) + ")");
    return out;
}

}  // namespace

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
        if (m_buf.size() == m_block) submit(false);
    }
}

void ParallelGzip::submit(bool last) {
    if (!m_header) {
        m_out(gzip_header, sizeof gzip_header);
        m_header = true;
    }
    std::string data;
    data.swap(m_buf);
    m_buf.reserve(m_block);
    int level = m_level;
    m_pending.push_back(std::async(std::launch::async, [data = std::move(data), level, last] {
        Block b;
        b.crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
        b.length = data.size();
        b.data = deflate_block(data, level, last);
        return b;
    }));
    drain(last ? 0 : m_max);
}

void ParallelGzip::drain(std::size_t keep) {
    while (m_pending.size() > keep) {
        Block b = m_pending.front().get();
        m_pending.pop_front();
        m_crc = crc32_combine(m_crc, b.crc, static_cast<z_off_t>(b.length));
        m_out(b.data.data(), b.data.size());
    }
}

void ParallelGzip::finish() {
    if (m_finished) return;
    m_finished = true;
    submit(true);
    unsigned char trailer[8];
    unsigned long isize = static_cast<unsigned long>(m_total & 0xffffffffu);
    for (int i = 0; i < 4; ++i) trailer[i] = static_cast<unsigned char>((m_crc >> (8 * i)) & 0xff);
    for (int i = 0; i < 4; ++i) trailer[4 + i] = static_cast<unsigned char>((isize >> (8 * i)) & 0xff);
    m_out(trailer, sizeof trailer);
}

std::string gzip_parallel(const std::string& data, int level, std::size_t block) {
    std::string out;
    ParallelGzip gz([&out](const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); }, level, block);
    gz.write(data.data(), data.size());
    gz.finish();
    return out;
}

}  // namespace hoist::build
