#include "image/parallel_gzip.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <unistd.h>

#include <cstdio>
#include <random>

using namespace hoist::image;

namespace {
std::string gunzip(const std::string& in) {
    z_stream z{};
    inflateInit2(&z, 31);
    std::string out;
    char buf[65536];
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    int rc;
    // A series of members (RFC 1952), each checked against its CRC and length trailer.
    while (true) {
        do {
            z.next_out = reinterpret_cast<Bytef*>(buf);
            z.avail_out = sizeof buf;
            rc = inflate(&z, Z_NO_FLUSH);
            out.append(buf, sizeof buf - z.avail_out);
        } while (rc == Z_OK);
        EXPECT_EQ(rc, Z_STREAM_END);
        if (rc != Z_STREAM_END || z.avail_in == 0) break;
        inflateReset(&z);
    }
    inflateEnd(&z);
    return out;
}

std::string sample(std::size_t n) {
    std::mt19937 rng(42);
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i % 7 == 0 ? rng() : 'a' + (i % 13));
    return s;
}
}  // namespace

TEST(ParallelGzip, RoundTripsAcrossManyBlocks) {
    auto data = sample(3 * 65536 + 123);
    EXPECT_EQ(gunzip(gzip_parallel(data, 1, 65536)), data);
    EXPECT_EQ(gunzip(gzip_parallel("", 1, 65536)), "");
    EXPECT_EQ(gunzip(gzip_parallel(std::string(65536, 'x'), 3, 65536)), std::string(65536, 'x'));
}

TEST(ParallelGzip, OutputDoesNotDependOnConcurrency) {
    auto data = sample(10 * 65536);
    auto compress = [&](int in_flight, std::size_t piece) {
        std::string out;
        ParallelGzip gz([&](const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); }, 1, 65536, in_flight);
        for (std::size_t i = 0; i < data.size(); i += piece) gz.write(data.data() + i, std::min(piece, data.size() - i));
        gz.finish();
        return out;
    };
    auto a = compress(1, 1000), b = compress(4, 77777);
    EXPECT_EQ(a, b);
    EXPECT_EQ(gunzip(a), data);
}

TEST(ParallelGzip, UnchangedBlocksOfThePreviousBlobAreReusedWithIdenticalOutput) {
    auto v1 = sample(6 * 65536);
    auto v2 = v1;
    v2[v2.size() - 10] ^= 0x55;  // only the last block differs
    std::string first;
    ParallelGzip a([&](const void* p, std::size_t n) { first.append(static_cast<const char*>(p), n); }, 1, 65536);
    a.write(v1.data(), v1.size());
    a.finish();
    char tmpl[] = "/tmp/hoist-gz-XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, first.data(), first.size()), ssize_t(first.size()));
    close(fd);

    std::string second;
    ParallelGzip b([&](const void* p, std::size_t n) { second.append(static_cast<const char*>(p), n); }, 1, 65536);
    b.reuse(PreviousBlob{tmpl, a.blocks()});
    b.write(v2.data(), v2.size());
    b.finish();
    std::remove(tmpl);
    EXPECT_EQ(b.reused(), 5u);
    EXPECT_EQ(second, gzip_parallel(v2, 1, 65536));  // same bytes as compressing from scratch
    EXPECT_EQ(gunzip(second), v2);
}
