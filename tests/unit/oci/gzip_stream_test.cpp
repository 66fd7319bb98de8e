#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <random>
#include <thread>

#include "oci/digest.hpp"
#include "oci/gzip_stream.hpp"
#include "util/error.hpp"

using namespace hoist::oci;

namespace {
/// A BlobStream over a string, handing out odd-sized pieces to exercise chunk assembly.
class StringStream : public BlobStream {
public:
    explicit StringStream(std::string s) : m_s(std::move(s)) {}
    std::size_t read(char* buf, std::size_t size) override {
        std::size_t n = std::min({size, m_s.size() - m_pos, std::size_t(77777)});
        std::memcpy(buf, m_s.data() + m_pos, n);
        m_pos += n;
        return n;
    }
    std::int64_t size() const override { return static_cast<std::int64_t>(m_s.size()); }

private:
    std::string m_s;
    std::size_t m_pos = 0;
};

std::string drain(BlobStream& s) {
    std::string out;
    char buf[50000];
    while (std::size_t n = s.read(buf, sizeof buf)) out.append(buf, n);
    return out;
}

/// Decompresses every gzip member in turn, as Go's compress/gzip and gunzip do.
std::string gunzip_all(const std::string& gz) {
    std::string out;
    z_stream z{};
    inflateInit2(&z, 15 + 16);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
    z.avail_in = static_cast<uInt>(gz.size());
    char buf[65536];
    while (true) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        int rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
        if (rc == Z_STREAM_END) {
            if (z.avail_in == 0) break;
            inflateReset(&z);
        } else if (rc != Z_OK) {
            ADD_FAILURE() << "inflate error " << rc;
            break;
        }
    }
    inflateEnd(&z);
    return out;
}

std::string sample(std::size_t text, std::size_t random) {
    std::string s;
    while (s.size() < text) s += "layer manifest digest upload registry " + std::to_string(s.size() % 9973) + "\n";
    s.resize(text);
    std::mt19937_64 rng(42);
    for (std::size_t i = 0; i < random; ++i) s.push_back(static_cast<char>(rng()));
    return s;
}
}  // namespace

TEST(GzipStream, MultiMemberOutputDecompressesToTheInput) {
    std::string in = sample(3 * GzipStream::chunk_size + 12345, GzipStream::chunk_size + 999);
    GzipStream gz(std::make_unique<StringStream>(in));
    std::string out = drain(gz);
    EXPECT_LT(out.size(), in.size());
    EXPECT_EQ(gunzip_all(out), in);
}

TEST(GzipStream, IsDeterministic) {
    std::string in = sample(2 * GzipStream::chunk_size + 7, 3 * GzipStream::chunk_size);
    GzipStream a(std::make_unique<StringStream>(in)), b(std::make_unique<StringStream>(in));
    EXPECT_EQ(sha256_of(drain(a)), sha256_of(drain(b)));
}

TEST(GzipStream, IncompressibleChunksAreStored) {
    std::string random = sample(0, GzipStream::chunk_size);
    std::string member = gzip_member(random.data(), random.size(), 1);
    // stored deflate: 5 bytes per 64 KiB block plus the 18-byte gzip header and trailer
    EXPECT_LE(member.size(), random.size() + 18 + 5 * (random.size() / 65535 + 1));
    EXPECT_EQ(gunzip_all(member), random);
    std::string text = sample(GzipStream::chunk_size, 0);
    EXPECT_LT(gzip_member(text.data(), text.size(), 1).size(), text.size() / 4);
}

TEST(GzipStream, BarelyCompressibleChunksNeverGrowAndCompressibleOnesShrink) {
    std::mt19937 rng(7);
    auto symbols = [&](int alphabet) {  // random bytes from `alphabet` values: log2(alphabet) bits each
        std::string s;
        for (std::size_t i = 0; i < GzipStream::chunk_size; ++i) s.push_back(static_cast<char>(rng() % alphabet));
        return s;
    };
    const std::size_t stored_overhead = 18 + 5 * (GzipStream::chunk_size / 65535 + 1);
    std::string barely = symbols(200);  // ~4.5% smaller at best
    std::string m = gzip_member(barely.data(), barely.size(), 1);
    EXPECT_LE(m.size(), barely.size() + stored_overhead);
    EXPECT_EQ(gunzip_all(m), barely);
    std::string quarter = symbols(64);  // ~25% smaller deflated
    m = gzip_member(quarter.data(), quarter.size(), 1);
    EXPECT_LT(m.size(), quarter.size() * 85 / 100) << "deflated";
    EXPECT_EQ(gunzip_all(m), quarter);
}

TEST(GzipStream, MembersHaveAFixedHeaderSoBytesDependOnTheDataOnly) {
    std::string text = sample(100000, 0);
    std::string m = gzip_member(text.data(), text.size(), 1);
    ASSERT_GE(m.size(), 18u);
    // magic, deflate, no flags, mtime 0: nothing of the time or the machine in the header
    EXPECT_EQ(m.substr(0, 8), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8));
    EXPECT_EQ(gzip_member(text.data(), text.size(), 1), m);
}

TEST(GzipStream, LevelsOutsideZeroToTwelveAreRefused) {
    EXPECT_THROW(GzipStream(std::make_unique<StringStream>("x"), 13), hoist::Error);
    EXPECT_THROW(gzip_member("x", 1, -1), hoist::Error);
    for (int level : {0, 1, 6, 12}) {
        std::string text = sample(300000, 1000);
        EXPECT_EQ(gunzip_all(gzip_member(text.data(), text.size(), level)), text) << "level " << level;
    }
}

TEST(GzipStream, ConcurrentStreamsOfTheSameLayerGiveTheSameBytes) {
    // Determinism is the contract the layer cache, re-pushes and block reuse rely on: streams
    // sharing the worker pool, started together, interleaving their chunks, agree byte for byte.
    std::string in = sample(5 * GzipStream::chunk_size + 99, 2 * GzipStream::chunk_size);
    GzipStream reference(std::make_unique<StringStream>(in));
    const std::string expected = sha256_of(drain(reference)).str();
    std::vector<std::string> got(6);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < got.size(); ++i)
        threads.emplace_back([&, i] {
            GzipStream gz(std::make_unique<StringStream>(in));
            got[i] = sha256_of(drain(gz)).str();
        });
    for (auto& t : threads) t.join();
    for (const auto& g : got) EXPECT_EQ(g, expected);
}

TEST(GzipStream, EmptyInputIsOneValidEmptyMember) {
    GzipStream gz(std::make_unique<StringStream>(""));
    std::string out = drain(gz);
    EXPECT_GE(out.size(), 18u);
    EXPECT_EQ(gunzip_all(out), "");
}

TEST(GzipStream, WorkersReadingAFileGiveTheSameBytesAsASequentialSource) {
    std::string in = sample(2 * GzipStream::chunk_size + 4321, GzipStream::chunk_size / 2);
    std::string path = "/tmp/hoist-gzip-test-" + std::to_string(::getpid());
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        std::fwrite("HEAD", 1, 4, f);  // the stream is a range that starts after this
        std::fwrite(in.data(), 1, in.size(), f);
        std::fclose(f);
    }
    GzipStream from_file(std::make_unique<FileRangeStream>(path, 4, static_cast<std::int64_t>(in.size())));
    GzipStream from_string(std::make_unique<StringStream>(in));
    std::string a = drain(from_file), b = drain(from_string);
    std::remove(path.c_str());
    EXPECT_EQ(a, b);
    EXPECT_EQ(gunzip_all(a), in);
}

TEST(GzipStream, TellsTheUploadLoopWheneverAChunkIsReady) {
    std::string in = sample(3 * GzipStream::chunk_size + 5, GzipStream::chunk_size);
    GzipStream gz(std::make_unique<StringStream>(in));
    std::atomic<int> calls{0};
    gz.notify_ready([&calls] { ++calls; });
    std::string out = drain(gz);
    // A worker calls back after it has handed its chunk over, so the last call may still be on
    // its way when the stream is drained (with busy cores a pool thread can wait its turn a while).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (calls.load() < 5 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(calls.load(), 5) << "one call per 1 MiB chunk compressed";
    EXPECT_EQ(gunzip_all(out), in);
}

TEST(GzipBuffers, AreRecycledAndAlwaysAsLargeAsAsked) {
    using namespace hoist::oci::detail;
    Buffer a = take_buffer(1000);
    ASSERT_TRUE(a.data);
    EXPECT_GE(a.capacity, GzipStream::chunk_size) << "every pooled buffer fits a whole chunk's member";
    const char* p = a.data.get();
    give_back(std::move(a));
    EXPECT_FALSE(a.data);
    Buffer b = take_buffer(GzipStream::chunk_size);
    EXPECT_EQ(b.data.get(), p) << "reused, not allocated again";
    Buffer big = take_buffer(8 * GzipStream::chunk_size);
    EXPECT_GE(big.capacity, 8 * GzipStream::chunk_size);
    give_back(std::move(big));  // not the list's size: freed, never handed out for a small request
    Buffer c = take_buffer(100);
    EXPECT_LT(c.capacity, 8 * GzipStream::chunk_size);
    give_back(std::move(b));
    give_back(std::move(c));
}
