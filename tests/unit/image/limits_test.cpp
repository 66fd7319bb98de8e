// What the native builder holds in memory is capped: ADD's extracted files and a base layer's
// /etc/passwd and /etc/group come from the repository and the registry, and a compressed archive
// can expand a thousandfold.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include "image/copy_plan.hpp"
#include "image/fs_view.hpp"
#include "build_fixture.hpp"
#include "util/error.hpp"

using namespace hoist::image;
using hoist::test::TempDir;
using hoist::test::write_file;

namespace {
/// A gzip tar of `files` at `path`.
void write_tgz(const std::string& path, const std::vector<std::pair<std::string, std::string>>& files) {
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    archive_write_open_filename(a, path.c_str());
    for (auto& [name, data] : files) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_size(e, la_int64_t(data.size()));
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, data.data(), data.size());
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}
}  // namespace

TEST(Limits, AddRefusesArchivesThatExtractPastTheCap) {
    TempDir dir;
    write_tgz(dir.path() + "/a.tgz", {{"small", "x"}, {"zeros", std::string(3 << 20, '\0')}});
    BuildContext ctx(dir.path(), {});
    CopyRequest req;
    req.sources = ctx.resolve("a.tgz");
    req.dest = "/x/";
    req.extract_archives = true;
    req.max_extracted_bytes = 2 << 20;
    try {
        plan_copy(ctx, req, FsView{});
        FAIL() << "extracted past the cap";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("the archive extracts to more than 2 MiB"), std::string::npos) << e.what();
    }
    req.max_extracted_bytes = 4 << 20;
    EXPECT_EQ(plan_copy(ctx, req, FsView{}).size(), 3u);  // x/, x/small, x/zeros
}

TEST(Limits, BaseLayerAccountFilesAreCapped) {
    TempDir dir;
    std::string huge = "root:x:0:0::/root:/bin/sh\n" + std::string(FsView::max_account_file_bytes, '#');
    write_tgz(dir.path() + "/layer.tgz", {{"etc/passwd", huge}});
    FsView fs;
    try {
        fs.apply_tar(dir.path() + "/layer.tgz");
        FAIL() << "held a " << huge.size() << "-byte /etc/passwd";
    } catch (const hoist::Error& e) {
        EXPECT_NE(std::string(e.what()).find("/etc/passwd is over 16 MiB"), std::string::npos) << e.what();
    }
    write_tgz(dir.path() + "/ok.tgz", {{"etc/passwd", "app:x:1000:1000::/app:/bin/sh\n"}});
    FsView ok;
    ok.apply_tar(dir.path() + "/ok.tgz");
    EXPECT_EQ(ok.lookup_user("app"), 1000u);
}

// Found by the layer_tar fuzz target (its input is kept as a seed): libarchive gives no message
// for some failures, and appending its NULL message to a string crashed.
TEST(Limits, ALayerLibarchiveCannotReadIsAnErrorWithAMessage) {
    std::string input = std::string(HOIST_SOURCE_DIR) + "/tests/fuzz/corpus/layer_tar/regress-no-libarchive-message";
    FsView fs;
    try {
        fs.apply_tar(input);
        FAIL() << "read a damaged layer";
    } catch (const hoist::Error& e) {
        EXPECT_NE(std::string(e.what()).find("regress-no-libarchive-message: "), std::string::npos) << e.what();
    }
}
