#pragma once
/// A gzip (RFC 1952) compressor that deflates fixed-size blocks on several threads and still
/// produces one ordinary gzip member (the technique of pigz).
///
/// Each block is deflated as an independent raw stream ended by a sync flush, which leaves the
/// output byte-aligned after a non-final block, so the blocks' outputs concatenate into one valid
/// deflate stream; the last block ends with the final block. The CRC-32 of the whole input is
/// combined from the blocks' CRCs (crc32_combine). The output depends only on the input, the level
/// and the block size — never on the thread count or timing — so digests are reproducible.
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <string>

namespace hoist::build {

class ParallelGzip {
public:
    using Sink = std::function<void(const void* data, std::size_t size)>;
    static constexpr std::size_t default_block = 1 << 20;

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
    struct Block {
        std::string data;
        unsigned long crc = 0;
        std::size_t length = 0;
    };
    void submit(bool last);
    void drain(std::size_t keep);

    Sink m_out;
    int m_level;
    std::size_t m_block;
    std::size_t m_max;
    std::string m_buf;
    std::deque<std::future<Block>> m_pending;
    unsigned long m_crc = 0;
    std::size_t m_total = 0;
    bool m_header = false;
    bool m_finished = false;
};

/// gzip of a whole buffer with ParallelGzip (tests, small blobs).
std::string gzip_parallel(const std::string& data, int level = 1, std::size_t block = ParallelGzip::default_block);

}  // namespace hoist::build
