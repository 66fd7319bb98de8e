#include <gtest/gtest.h>
#include <archive.h>
#include <archive_entry.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "oci/blob_stream.hpp"
#include "oci/tar_index.hpp"
#include "util/error.hpp"

using namespace hoist::oci;

namespace {
/// Writes a tar with libarchive (pax format, so long names get extended headers).
void write_tar(const std::string& path, const std::vector<std::pair<std::string, std::string>>& files) {
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, path.c_str());
    for (auto& [name, data] : files) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, data.data(), data.size());
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}

std::string read_range(const std::string& path, const TarMember& m) {
    FileRangeStream s(path, m.offset, m.size);
    std::string out(static_cast<std::size_t>(m.size), '\0');
    std::size_t got = 0;
    while (std::size_t n = s.read(out.data() + got, out.size() - got)) got += n;
    return out;
}
}  // namespace

TEST(TarIndex, FindsMembersIncludingLongPaxNames) {
    std::string path = std::filesystem::temp_directory_path() / ("hoist-tar-test-" + std::to_string(getpid()) + ".tar");
    std::string long_name = std::string(150, 'd') + "/" + std::string(64, 'e') + "/layer.tar";
    std::string big(70000, 'x');
    big[12345] = 'y';
    write_tar(path, {{"manifest.json", "[{}]"}, {"./abc.json", "{\"a\":1}"}, {long_name, big}, {"empty", ""}});
    auto idx = index_tar(path);
    ASSERT_EQ(idx.count("manifest.json"), 1u);
    EXPECT_EQ(read_range(path, idx["manifest.json"]), "[{}]");
    ASSERT_EQ(idx.count("abc.json"), 1u) << "leading ./ is dropped";
    EXPECT_EQ(read_range(path, idx["abc.json"]), "{\"a\":1}");
    ASSERT_EQ(idx.count(long_name), 1u);
    EXPECT_EQ(read_range(path, idx[long_name]), big);
    EXPECT_EQ(idx["empty"].size, 0);
    std::filesystem::remove(path);
}

TEST(TarIndex, MissingFileIsAnErrorNamingIt) {
    try {
        index_tar("/nonexistent/x.tar");
        FAIL();
    } catch (const hoist::Error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/x.tar"), std::string::npos);
    }
}

namespace {
/// One raw 512-byte tar header: `size_field` is written as is (12 bytes), no checksum (unread).
std::string header(const std::string& name, const std::string& size_field, char type) {
    std::string h(512, '\0');
    h.replace(0, name.size(), name);
    h.replace(124, size_field.size(), size_field);
    h[156] = type;
    h.replace(257, 5, "ustar");
    return h;
}
std::string pad(std::string s) {
    s.resize((s.size() + 511) / 512 * 512, '\0');
    return s;
}
/// index_tar over `bytes` written to a file; the error message, or "" when it indexed.
std::string index_error(const std::string& bytes) {
    std::string path = std::filesystem::temp_directory_path() / ("hoist-tar-bad-" + std::to_string(getpid()) + ".tar");
    { std::ofstream(path, std::ios::binary) << bytes; }
    std::string err;
    try {
        index_tar(path);
    } catch (const hoist::Error& e) {
        err = e.what();
    }
    std::filesystem::remove(path);
    return err;
}
}  // namespace

// A 1.5 KB archive with a negative pax size hung `push --from docker-archive:`: the next header
// was computed at the same position. Every header now lies after the previous one.
TEST(TarIndex, HostileSizesAreErrorsNotHangsOrHugeAllocations) {
    std::string pax = "14 size=-1024\n";
    std::string negative_pax = header("pax", "00000000016", 'x') + pad(pax) + header("a", "00000000000", '0');
    EXPECT_NE(index_error(negative_pax).find("pax size '-1024' is not a size"), std::string::npos);

    std::string b256_huge = header("a", std::string("\x80") + std::string(11, '\xff'), '0');
    EXPECT_NE(index_error(b256_huge + std::string(1024, '\0')).find("a negative or oversized size"), std::string::npos);
    std::string b256_negative = header("a", std::string(12, '\xff'), '0');
    EXPECT_NE(index_error(b256_negative + std::string(1024, '\0')).find("a negative or oversized size"), std::string::npos);

    std::string past_end = header("a", "00000100000", '0') + std::string(1024, 'x');
    EXPECT_NE(index_error(past_end).find("past the end of the file"), std::string::npos);
    std::string big_meta = header("././@LongLink", "77777777777", 'L') + std::string(1024, 'x');
    EXPECT_NE(index_error(big_meta).find("an extended header of"), std::string::npos);

    std::string ok = header("f", "00000000003", '0') + pad("abc") + std::string(1024, '\0');
    EXPECT_EQ(index_error(ok), "");
    auto idx = index_tar_bytes(ok, "mem");
    ASSERT_EQ(idx.count("f"), 1u);
    EXPECT_EQ(idx["f"].offset, 512);
    EXPECT_EQ(idx["f"].size, 3);
}
