// Fuzz target: the two readers of tar archives with libarchive: a base layer applied to the
// filesystem view (FROM, from the registry) and an archive ADD extracts (from the repository).
// Both must reject bad input as a message, within their memory caps.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "image/copy_plan.hpp"
#include "image/fs_view.hpp"
#include "fuzz_common.hpp"

namespace {
/// A context directory; the input is written there as a.tar, read as a layer and by ADD.
struct Files {
    std::string dir;
    Files() {
        char tmpl[] = "/tmp/hoist-fuzz-layer-XXXXXX";
        dir = ::mkdtemp(tmpl);
    }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Files files;
    std::string path = files.dir + "/a.tar";
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        if (!f) hoist::fuzz::finding("cannot write the input", path);
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
    hoist::fuzz::expect_clean([&] {
        hoist::image::FsView fs;
        fs.apply_tar(path);
        (void)fs.lookup_user("root");
        (void)fs.primary_group("app");
    });
    hoist::fuzz::expect_clean<std::runtime_error>([&] {
        hoist::image::BuildContext ctx(files.dir, {});
        hoist::image::CopyRequest req;
        req.sources = ctx.resolve("a.tar");
        req.dest = "/x/";
        req.extract_archives = true;
        req.max_extracted_bytes = 64 << 20;  // the fuzzer's memory limit is 2 GB
        for (const auto& e : hoist::image::plan_copy(ctx, req, hoist::image::FsView{}))
            if (e.path.rfind("x", 0) != 0) hoist::fuzz::finding("ADD wrote outside its destination", e.path);
    });
    return 0;
}
