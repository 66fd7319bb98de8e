#include "oci/gzip_stream.hpp"

#include <libdeflate.h>

#include <condition_variable>
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

std::string compress(const char* data, std::size_t size, int level) {
    libdeflate_compressor* c = compressor(level);
    std::string out(libdeflate_gzip_compress_bound(c, size), '\0');
    std::size_t n = libdeflate_gzip_compress(c, data, size, out.data(), out.size());
    if (n == 0) throw Error(ExitCode::build_push, "libdeflate: compression failed");
    out.resize(n);
    return out;
}
}  // namespace

std::string gzip_member(const char* data, std::size_t size, int level) {
    constexpr std::size_t sample = 64 << 10;
    if (level > 0 && size > sample) {
        std::size_t probe = compress(data, sample, level).size();
        if (probe * 100 > sample * 90) level = 0;  // saves < 10%: store (see gzip_stream.hpp)
    }
    return compress(data, size, level);
}

GzipStream::GzipStream(std::unique_ptr<BlobStream> source, int level) : m_source(std::move(source)), m_level(level) {
    if (level < 0 || level > 12) throw Error(ExitCode::usage, "gzip level must be 0..12");
}

GzipStream::~GzipStream() {
    for (auto& f : m_pending)
        if (f.valid()) f.wait();  // tasks reference nothing of ours, but do not leave work running
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
            auto task = std::make_shared<std::packaged_task<std::string()>>([src, offset, len, level = m_level] {
                std::string chunk(len, '\0');
                src->read_at(chunk.data(), len, offset);
                return gzip_member(chunk.data(), chunk.size(), level);
            });
            m_pending.push_back(task->get_future());
            Pool::get().submit([task] { (*task)(); });
        }
        m_source_done = m_next_offset >= total;
        return;
    }
    while (!m_source_done && m_pending.size() < ahead) {
        auto chunk = std::make_shared<std::string>(chunk_size, '\0');
        std::size_t got = 0;
        while (got < chunk_size) {
            std::size_t n = m_source->read(chunk->data() + got, chunk_size - got);
            if (n == 0) {
                m_source_done = true;
                break;
            }
            got += n;
        }
        if (got == 0) break;
        chunk->resize(got);
        auto task = std::make_shared<std::packaged_task<std::string()>>(
            [chunk, level = m_level] { return gzip_member(chunk->data(), chunk->size(), level); });
        m_pending.push_back(task->get_future());
        Pool::get().submit([task] { (*task)(); });
    }
}

bool GzipStream::ready() {
    if (m_pos < m_current.size()) return true;
    fill_pipeline();
    if (m_pending.empty()) return true;  // at the end
    return m_pending.front().wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

std::size_t GzipStream::read(char* buf, std::size_t size) {
    while (m_pos == m_current.size()) {
        fill_pipeline();
        if (m_pending.empty()) {
            if (m_current.empty() && m_pos == 0 && m_source_done) {
                // An empty input still needs one (empty) gzip member to be valid gzip.
                m_current = gzip_member(nullptr, 0, m_level);
                m_pos = 0;
                m_source_done = true;
                break;
            }
            return 0;
        }
        m_current = m_pending.front().get();  // rethrows a compression failure
        m_pending.pop_front();
        m_pos = 0;
    }
    std::size_t n = std::min(size, m_current.size() - m_pos);
    std::memcpy(buf, m_current.data() + m_pos, n);
    m_pos += n;
    return n;
}

}  // namespace hoist::oci
