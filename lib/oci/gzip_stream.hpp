#pragma once
/// gzip compression of a layer as it uploads, on every core, deterministically.
///
/// Why not one zlib stream: zlib deflates ~60-100 MB/s on one core, which made compression the
/// whole cost of a cold push (a 230 MB image: ~4 s of CPU). Instead the input is cut into 1 MiB
/// chunks, each compressed by libdeflate at level 1 on a shared pool of worker threads, a few
/// chunks ahead of the upload; each chunk becomes one gzip *member*, and the members are
/// concatenated in order. RFC 1952 defines a gzip file as a series of members, and every layer
/// consumer decompresses them as one stream (Go's compress/gzip in dockerd, containerd and the
/// registry tooling, pigz, zlib's gunzip, Python). A chunk whose first 64 KiB would not shrink by
/// 10% (already-compressed assets) is stored, not deflated: the same bytes at a fraction of the
/// CPU, decided by the data alone.
///
/// Determinism is the contract here: the output depends only on the input bytes, the chunk size
/// and the level, so the same layer always has the same digest. That is what lets a re-push find
/// the layer in the registry, an unchanged build reproduce the same image, and the build's block
/// reuse copy old members instead of compressing again.
///
/// Why not ISA-L's igzip (the compressor from 2026-12-03 to 12-04, twice libdeflate's speed):
/// its output depends on where its state lives. About one 1 MiB chunk in 5,000 came out as a
/// *different valid* deflate encoding of the same input, so about one cold push in ten of a
/// 550 MB image gave a new layer digest, and with a cached digest the upload then failed as "the
/// local copy is corrupt". The cause, found afterwards, is in ISA-L's level-1/2 assembly
/// (igzip_icf_body_h1_gr_bt.asm, `.write_first_byte`, 2.24.0 to at least 2.32.1): it hashes a
/// register that still holds the isal_zstream *pointer* instead of the input bytes, so input
/// position 2 lands in a hash bucket chosen by the stream's address (bits 16-47), and one match
/// decision of a chunk can differ between two streams at different addresses. In hoist each
/// compressor thread had its stream in its own thread_local, ASLR moves them on every run, and
/// timing decides which thread compresses which chunk. It was never a data race: the input, the
/// buffers and the state's memory were the same in both encodings (tests/evidence/isal_first_byte
/// has the explanation, a reproducer and the one-line fix). libdeflate's output depends on the
/// input and the level only; the suite runs 20 cold pushes with a busy core and asserts one manifest
/// digest (tests/integration/registry/push_stress_test.cpp). See also BlobSpec::known_is_hint:
/// a cached compressed digest is only a hint, so even a compressor that changes (another
/// libdeflate version) costs an upload, never a failed push.
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
    /// Compresses `source` at libdeflate `level` (0..12; 1 is the default, see blob_stream.hpp).
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

/// Runs `task` on the compressor pool shared by every GzipStream of the process (one thread per
/// core), so the build's ParallelGzip and the push's streams share the cores instead of each
/// starting threads of their own.
void run_on_compressor_pool(std::function<void()> task);

/// Compresses one chunk to one gzip member (exposed for tests and for image::ParallelGzip).
std::string gzip_member(const char* data, std::size_t size, int level);

/// Names the compressor and its version ("libdeflate-1.14"). Members written by another codec are
/// valid gzip but not the bytes compressing gives now, so caches that copy members (the build's
/// block reuse) only reuse those of the same codec.
std::string gzip_codec();

}  // namespace hoist::oci
