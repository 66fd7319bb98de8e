#pragma once
/// The push-style face of oci::GzipStream's compressor, for writers that produce bytes (libarchive
/// writing a layer tar) rather than streams that are pulled from.
///
/// Input is cut into fixed-size blocks; each becomes one gzip member compressed by
/// oci::gzip_member (libdeflate, the same compressor as the push engine; incompressible data stored)
/// on the push engine's compressor pool (a thread per core, not a thread per block), a few blocks
/// ahead; members are emitted in order. The output depends only
/// on the input, the level and the block size — never on thread timing — so digests reproduce.
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <cstdint>
#include <string>
#include <vector>

#include "oci/gzip_stream.hpp"

namespace hoist::image {

/// Where one block's gzip member sits in a blob, and what it holds (sha256 hex of the block).
struct GzipBlock {
    std::string sha256;
    std::int64_t offset = 0;
    std::int64_t length = 0;
};

/// A previous blob written with the same block size and level, and its blocks: a block whose
/// bytes are identical at the same index is copied from there instead of compressed again. The
/// copied member is byte-for-byte what compressing would give, so digests do not change.
struct PreviousBlob {
    std::string path;
    std::vector<GzipBlock> blocks;
};

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

    /// Reuse members of `previous` where blocks are unchanged (see PreviousBlob).
    void reuse(PreviousBlob previous) { m_previous = std::move(previous); }

    void write(const void* data, std::size_t size);
    /// Compresses what is left and writes the trailer. Must be called once at the end.
    void finish();

    std::size_t bytes_in() const { return m_total; }
    /// The blocks written, for a later reuse(); valid after finish().
    const std::vector<GzipBlock>& blocks() const { return m_blocks; }
    /// How many blocks were copied from the previous blob.
    std::size_t reused() const { return m_reused; }

private:
    void submit();
    void drain(std::size_t keep);

    Sink m_out;
    int m_level;
    std::size_t m_block;
    std::size_t m_max;
    std::string m_buf;
    struct Done {
        std::string member;
        std::string sha256;
        bool reused = false;
    };
    std::deque<std::future<Done>> m_pending;
    void emit(Done d);
    PreviousBlob m_previous;
    std::vector<GzipBlock> m_blocks;
    std::int64_t m_out_offset = 0;
    std::size_t m_reused = 0;
    std::size_t m_total = 0;
    bool m_any = false;
    bool m_finished = false;
};

/// gzip of a whole buffer with ParallelGzip (tests, small blobs).
std::string gzip_parallel(const std::string& data, int level = 1, std::size_t block = ParallelGzip::default_block);

}  // namespace hoist::image
