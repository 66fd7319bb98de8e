#include "oci/gzip_stream.hpp"

#include <libdeflate.h>

#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "util/error.hpp"

namespace hoist::oci {

namespace {
/// A fixed pool of worker threads shared by every GzipStream of the process, so parallel layer
/// uploads share the cores instead of each starting its own threads.
class Pool {
public:
    static Pool& get() {
        static Pool pool(std::max(1u, std::thread::hardware_concurrency()));
        return pool;
    }
    std::size_t size() const { return m_threads.size(); }
    void submit(std::function<void()> task) {
        {
            std::lock_guard lock(m_mutex);
            m_tasks.push_back(std::move(task));
        }
        m_cv.notify_one();
    }
    ~Pool() {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_cv.notify_all();
        for (auto& t : m_threads) t.join();
    }

private:
    explicit Pool(unsigned n) {
        for (unsigned i = 0; i < n; ++i) m_threads.emplace_back([this] { work(); });
    }
    void work() {
        while (true) {
            std::function<void()> task;
            {
                std::unique_lock lock(m_mutex);
                m_cv.wait(lock, [this] { return m_stop || !m_tasks.empty(); });
                if (m_tasks.empty()) return;
                task = std::move(m_tasks.front());
                m_tasks.pop_front();
            }
            task();
        }
    }
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_tasks;
    std::vector<std::thread> m_threads;
    bool m_stop = false;
};

/// Buffers big enough for one chunk's member at any level (stored blocks, the worst case, need 1 MiB
/// plus 5 bytes per 64 KiB and the gzip header and trailer): every pooled buffer has this capacity.
constexpr std::size_t kPooledCapacity = GzipStream::chunk_size + (64 << 10);
constexpr std::size_t kPoolKeeps = 16;  // what three layers in flight reuse; more is freed

struct FreeList {
    std::mutex mutex;
    std::vector<std::unique_ptr<char[]>> buffers;
};
FreeList& free_list() {
    static FreeList* list = new FreeList;  // never destroyed: workers may return buffers at exit
    return *list;
}

/// The largest a member can be: deflate falls back to stored blocks (5 bytes of header per 65535)
/// when compressing would grow the data, plus the gzip header and trailer.
std::size_t member_bound(std::size_t size) { return size + 5 * (size / 65535 + 1) + 64; }

/// libdeflate compressors are not thread-safe and cost an allocation: one per thread and level.
libdeflate_compressor* compressor(int level) {
    struct Owned {
        libdeflate_compressor* c[13] = {};
        ~Owned() {
            for (auto* x : c)
                if (x) libdeflate_free_compressor(x);
        }
    };
    thread_local Owned owned;
    if (!owned.c[level]) owned.c[level] = libdeflate_alloc_compressor(level);
    if (!owned.c[level]) throw Error(ExitCode::build_push, "libdeflate: cannot allocate a compressor");
    return owned.c[level];
}

/// Already-compressed data (images, archives, random bytes) barely shrinks and deflating it costs
/// ~10 ms per MiB: when the first 64 KiB would not shrink by 10%, the chunk is stored (level 0).
/// The decision reads the data only, so it is as deterministic as the compression itself.
int level_for(const char* data, std::size_t size, int level) {
    constexpr std::size_t sample = 64 << 10;
    if (level == 0 || size <= sample) return level;
    thread_local std::vector<char> probe;
    libdeflate_compressor* c = compressor(level);
    probe.resize(libdeflate_gzip_compress_bound(c, sample));
    std::size_t n = libdeflate_gzip_compress(c, data, sample, probe.data(), probe.size());
    return n == 0 || n * 100 > sample * 90 ? 0 : level;
}

std::size_t compress_into(const char* data, std::size_t size, int level, detail::Buffer& out) {
    if (level < 0 || level > 12) throw Error(ExitCode::usage, "gzip level must be 0..12");
    libdeflate_compressor* c = compressor(level_for(data, size, level));
    std::size_t bound = libdeflate_gzip_compress_bound(c, size);
    if (out.capacity < bound) {
        detail::give_back(std::move(out));
        out = detail::take_buffer(bound);
    }
    std::size_t n = libdeflate_gzip_compress(c, data, size, out.data.get(), out.capacity);
    if (n == 0) throw Error(ExitCode::build_push, "libdeflate: compression failed (output larger than its bound)");
    return n;
}
}  // namespace

namespace detail {
Buffer take_buffer(std::size_t capacity) {
    if (capacity <= kPooledCapacity) {
        FreeList& list = free_list();
        std::lock_guard lock(list.mutex);
        if (!list.buffers.empty()) {
            Buffer b{std::move(list.buffers.back()), 0, kPooledCapacity};
            list.buffers.pop_back();
            return b;
        }
        capacity = kPooledCapacity;
    }
    return Buffer{std::make_unique_for_overwrite<char[]>(capacity), 0, capacity};
}

void give_back(Buffer&& b) {
    Buffer mine = std::move(b);  // freed here unless the list keeps it
    b = Buffer{};
    if (!mine.data || mine.capacity != kPooledCapacity) return;
    FreeList& list = free_list();
    std::lock_guard lock(list.mutex);
    if (list.buffers.size() < kPoolKeeps) list.buffers.push_back(std::move(mine.data));
}

void gzip_member_into(const char* data, std::size_t size, int level, Buffer& out) {
    out.size = compress_into(data, size, level, out);
}
}  // namespace detail

void run_on_compressor_pool(std::function<void()> task) { Pool::get().submit(std::move(task)); }

std::string gzip_codec() { return std::string("libdeflate-") + LIBDEFLATE_VERSION_STRING; }

std::string gzip_member(const char* data, std::size_t size, int level) {
    detail::Buffer out = detail::take_buffer(0);
    detail::gzip_member_into(data, size, level, out);
    std::string s(out.data.get(), out.size);
    detail::give_back(std::move(out));
    return s;
}

GzipStream::GzipStream(std::unique_ptr<BlobStream> source, int level) : m_source(std::move(source)), m_level(level) {
    if (level < 0 || level > 12) throw Error(ExitCode::usage, "gzip level must be 0..12");
}

GzipStream::~GzipStream() {
    for (auto& f : m_pending)
        if (f.valid()) f.wait();  // tasks reference nothing of ours, but do not leave work running
    detail::give_back(std::move(m_current));
}

void GzipStream::fill_pipeline() {
    const std::size_t ahead = std::max<std::size_t>(8, 2 * Pool::get().size());
    if (m_source->positional()) {
        // Workers read their own chunks: the thread driving the uploads never waits on the disk.
        const std::int64_t total = m_source->size();
        while (m_next_offset < total && m_pending.size() < ahead) {
            std::int64_t offset = m_next_offset;
            std::size_t len = static_cast<std::size_t>(std::min<std::int64_t>(chunk_size, total - offset));
            m_next_offset += static_cast<std::int64_t>(len);
            const BlobStream* src = m_source.get();  // outlives the task: ~GzipStream waits for it
            auto task = std::make_shared<std::packaged_task<detail::Buffer()>>([src, offset, len, level = m_level] {
                thread_local std::unique_ptr<char[]> chunk = std::make_unique_for_overwrite<char[]>(chunk_size);
                src->read_at(chunk.get(), len, offset);
                detail::Buffer out = detail::take_buffer(member_bound(len));
                detail::gzip_member_into(chunk.get(), len, level, out);
                return out;
            });
            m_pending.push_back(task->get_future());
            Pool::get().submit([task, notify = m_notify] {
                (*task)();
                if (notify) (*notify)();  // wakes the upload loop if this stream's transfer is paused
            });
        }
        m_source_done = m_next_offset >= total;
        return;
    }
    while (!m_source_done && m_pending.size() < ahead) {
        auto chunk = std::make_shared<detail::Buffer>(detail::take_buffer(chunk_size));
        std::size_t got = 0;
        while (got < chunk_size) {
            std::size_t n = m_source->read(chunk->data.get() + got, chunk_size - got);
            if (n == 0) {
                m_source_done = true;
                break;
            }
            got += n;
        }
        if (got == 0) {
            detail::give_back(std::move(*chunk));
            break;
        }
        chunk->size = got;
        auto task = std::make_shared<std::packaged_task<detail::Buffer()>>([chunk, level = m_level] {
            detail::Buffer out = detail::take_buffer(member_bound(chunk->size));
            detail::gzip_member_into(chunk->data.get(), chunk->size, level, out);
            detail::give_back(std::move(*chunk));
            return out;
        });
        m_pending.push_back(task->get_future());
        Pool::get().submit([task, notify = m_notify] {
            (*task)();
            if (notify) (*notify)();  // wakes the upload loop if this stream's transfer is paused
        });
    }
}

bool GzipStream::ready() {
    if (m_pos < m_current.size) return true;
    fill_pipeline();
    if (m_pending.empty()) return true;  // at the end
    return m_pending.front().wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

std::size_t GzipStream::read(char* buf, std::size_t size) {
    while (m_pos == m_current.size) {
        fill_pipeline();
        if (m_pending.empty()) {
            if (!m_current.data && m_pos == 0 && m_source_done && !m_emitted_any) {
                // An empty input still needs one (empty) gzip member to be valid gzip.
                m_current = detail::take_buffer(0);
                detail::gzip_member_into(nullptr, 0, m_level, m_current);
                m_pos = 0;
                m_emitted_any = true;
                break;
            }
            return 0;
        }
        detail::give_back(std::move(m_current));
        m_current = m_pending.front().get();  // rethrows a compression failure
        m_pending.pop_front();
        m_pos = 0;
        m_emitted_any = true;
    }
    std::size_t n = std::min(size, m_current.size - m_pos);
    std::memcpy(buf, m_current.data.get() + m_pos, n);
    m_pos += n;
    return n;
}

}  // namespace hoist::oci
