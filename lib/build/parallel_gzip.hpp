#pragma once
/// The push-style face of oci::GzipStream's compressor, for writers that produce bytes (libarchive
/// writing a layer tar) rather than streams that are pulled from.
///
/// Input is cut into fixed-size blocks; each becomes one gzip member compressed by
/// oci::gzip_member (libdeflate, the same rule as the push engine: incompressible blocks stored)
/// on its own thread, a few blocks ahead; members are emitted in order. The output depends only
/// on the input, the level and the block size — never on thread timing — so digests reproduce.
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <string>

#include "oci/gzip_stream.hpp"

namespace hoist::build {

class ParallelGzip {
public:
    using Sink = std::function<void(const void* data, std::size_t size)>;
    static constexpr std::size_t default_block = oci::GzipStream::chunk_size;

    /// `out` receives the compressed bytes in order. `max_in_flight` bounds memory (blocks being
    /// compressed at once).
    explicit ParallelGzip(Sink out, int level = 1, std::size_t block = default_block, int max_in_flight = 3);
    ~ParallelGzip();
    ParallelGzip(const ParallelGzip&) = delete;
    ParallelGzip& operator=(const ParallelGzip&) = delete;

    void write(const void* data, std::size_t size);
    /// Compresses what is left and writes the trailer. Must be called once at the end.
    void finish();

    std::size_t bytes_in() const { return m_total; }

private:
    void submit();
    void drain(std::size_t keep);

    Sink m_out;
    int m_level;
    std::size_t m_block;
    std::size_t m_max;
    std::string m_buf;
    std::deque<std::future<std::string>> m_pending;
    std::size_t m_total = 0;
    bool m_any = false;
    bool m_finished = false;
};

/// gzip of a whole buffer with ParallelGzip (tests, small blobs).
std::string gzip_parallel(const std::string& data, int level = 1, std::size_t block = ParallelGzip::default_block);

}  // namespace hoist::build
