#pragma once
/// gzip compression of a layer as it uploads, on every core, deterministically.
///
/// Why not one zlib stream: zlib deflates ~60-100 MB/s on one core, which made compression the
/// whole cost of a cold push (a 230 MB image: ~4 s of CPU). Instead the input is cut into 1 MiB
/// chunks, each compressed by ISA-L's igzip at level 1 on a shared pool of worker threads, a few
/// chunks ahead of the upload; each chunk becomes one gzip *member*, and the members are
/// concatenated in order. RFC 1952 defines a gzip file as a series of members, and every layer
/// consumer decompresses them as one stream (Go's compress/gzip in dockerd, containerd and the
/// registry tooling, pigz, zlib's gunzip, Python).
///
/// Why ISA-L: on the push benchmark's layers (one core, 1 MiB chunks) igzip level 1 compresses
/// text at 500 MB/s to 24.6% of its size, where libdeflate level 1 (the previous choice) does
/// 257 MB/s to 23.2% and zlib level 1 121 MB/s to 24.9%; on random bytes igzip emits stored
/// blocks at 1.5 GB/s (libdeflate 100 MB/s), so no sampling rule is needed to skip
/// already-compressed assets. A cold push of that image went from 0.9 s to 0.5 s of hoist CPU.
///
/// Buffers are recycled (detail::Buffer), never zero-filled: allocating and clearing two fresh
/// MiB per chunk cost a fifth of the push's CPU in page faults and memset.
///
/// Determinism: the output depends only on the input bytes, the chunk size and the level, never
/// on thread timing, so the same layer always has the same digest - which is what lets a re-push
/// find it in the registry and the diff-ID cache stay valid. igzip's x86-64 kernels (SSE4.2,
/// AVX2, AVX-512) emit the same bytes: checked on this machine with AVX-512 against the AVX2
/// path (valgrind hides AVX-512 from CPUID). A different ISA-L version or a CPU without SSE4.2
/// may compress differently; that costs a re-upload of the layer, never a wrong image.
#include <deque>
#include <future>
#include <memory>
#include <string>

#include "oci/blob_stream.hpp"

namespace hoist::oci {

namespace detail {
/// A byte buffer that is never zero-filled and is recycled: a cold push compresses ~230 1 MiB
/// chunks, and allocating and zeroing two fresh MiB for each (input and output) cost a fifth of
/// hoist's CPU time in page faults and memset (perf, push benchmark), more than the hashing.
struct Buffer {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;
    std::size_t capacity = 0;
};
/// A buffer of at least `capacity` bytes (contents unspecified), from the process's free list
/// when one fits.
Buffer take_buffer(std::size_t capacity);
/// Returns a buffer to the free list (which keeps a bounded number; the rest are freed).
void give_back(Buffer&& b);
/// Compresses one chunk into `out` (grown if needed) by the rule below.
void gzip_member_into(const char* data, std::size_t size, int level, Buffer& out);
}  // namespace detail

class GzipStream : public BlobStream {
public:
    /// Compresses `source` at igzip `level` (0..3; 1 is the default, see blob_stream.hpp).
    explicit GzipStream(std::unique_ptr<BlobStream> source, int level = 1);
    ~GzipStream() override;
    GzipStream(const GzipStream&) = delete;
    GzipStream& operator=(const GzipStream&) = delete;
    std::size_t read(char* buf, std::size_t size) override;
    std::int64_t size() const override { return -1; }
    bool ready() override;
    void notify_ready(std::function<void()> cb) override { m_notify = std::make_shared<const std::function<void()>>(std::move(cb)); }

    static constexpr std::size_t chunk_size = 1 << 20;

private:
    void fill_pipeline();
    std::unique_ptr<BlobStream> m_source;
    int m_level;
    bool m_source_done = false;
    std::int64_t m_next_offset = 0;  ///< next chunk to schedule, for positional sources
    std::deque<std::future<detail::Buffer>> m_pending;
    detail::Buffer m_current;
    std::size_t m_pos = 0;
    bool m_emitted_any = false;
    std::shared_ptr<const std::function<void()>> m_notify;  ///< shared with tasks that may outlive a read
};

/// Compresses one chunk to one gzip member (exposed for tests and for image::ParallelGzip).
std::string gzip_member(const char* data, std::size_t size, int level);

/// Names the compressor and its version ("isal-2.30.0"). Members written by another codec are
/// valid gzip but not the bytes compressing gives now, so caches that copy members (the build's
/// block reuse) only reuse those of the same codec.
std::string gzip_codec();

}  // namespace hoist::oci
