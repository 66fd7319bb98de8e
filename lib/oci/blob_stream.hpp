#pragma once
/// Pull-style byte streams for blob uploads: a byte range of a file (a blob in a layout, a layer
/// inside a docker-archive tarball). The gzip compressor over such a stream is in gzip_stream.hpp.
///
/// Uploads pull from these inside libcurl's read callback, so compression runs exactly as fast as
/// the network takes the bytes, overlaps with the upload, and nothing is written to a temp file.
/// Each upload attempt opens a fresh stream: retrying a broken upload restarts it from byte 0,
/// and gzip at a fixed level is deterministic, so the retried bytes hash to the same digest.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hoist::oci {

class BlobStream {
public:
    virtual ~BlobStream() = default;
    /// Fills up to `size` bytes; returns the count, 0 at the end. Throws hoist::Error on failure.
    virtual std::size_t read(char* buf, std::size_t size) = 0;
    /// Total length when known in advance, else -1 (a compressor's output).
    virtual std::int64_t size() const = 0;
    /// True when read() would return at once (data or end) instead of waiting for a worker
    /// thread. Lets an upload pause its transfer rather than stall every other one.
    virtual bool ready() { return true; }
    /// Asks a stream whose ready() can be false to call `cb` (from any thread) whenever more data
    /// becomes ready, so a paused upload resumes at once instead of at the next poll.
    virtual void notify_ready(std::function<void()> /*cb*/) {}
    /// Reads `size` bytes at `offset` (relative to the stream's start) from any thread, without
    /// moving read()'s position; only streams with `positional() == true` implement it.
    virtual void read_at(char* /*buf*/, std::size_t /*size*/, std::int64_t /*offset*/) const {}
    virtual bool positional() const { return false; }
};

/// `length` bytes of the file at `path` from `offset` (the whole file: offset 0, length -1).
class FileRangeStream : public BlobStream {
public:
    FileRangeStream(const std::string& path, std::int64_t offset = 0, std::int64_t length = -1);
    ~FileRangeStream() override;
    FileRangeStream(const FileRangeStream&) = delete;
    FileRangeStream& operator=(const FileRangeStream&) = delete;
    std::size_t read(char* buf, std::size_t size) override;
    std::int64_t size() const override { return m_length; }
    void read_at(char* buf, std::size_t size, std::int64_t offset) const override;
    bool positional() const override { return true; }

private:
    std::string m_path;
    int m_fd = -1;
    std::int64_t m_offset, m_length, m_done = 0;
};

/// The gzip level for layers hoist compresses (1: fastest; speed matters more than the last few
/// percent of size for a push, and the level is part of a layer's reproducible digest).
inline constexpr int default_gzip_level = 1;

/// True when the first bytes of the file range start with the gzip magic number.
bool is_gzip(const std::string& path, std::int64_t offset = 0);

}  // namespace hoist::oci
