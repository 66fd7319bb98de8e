#include <gtest/gtest.h>
#include <archive.h>
#include <archive_entry.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

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
