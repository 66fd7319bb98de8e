// Fuzz target: the .dockerignore matcher. The first line of the input is a path to match, the
// rest the .dockerignore text; a bad pattern is a hoist::Error naming the file and line.
#include <cstddef>
#include <cstdint>
#include <string>

#include "image/dockerignore.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string input(reinterpret_cast<const char*>(data), size);
    auto nl = input.find('\n');
    std::string path = nl == std::string::npos ? input : input.substr(0, nl);
    std::string text = nl == std::string::npos ? std::string() : input.substr(nl + 1);
    hoist::fuzz::expect_clean([&] {
        auto m = hoist::image::IgnoreMatcher::parse(text);
        std::string clean = hoist::image::clean_relative(path);
        if (clean.empty()) hoist::fuzz::finding("clean_relative gave an empty path", path);
        if (clean == ".") return;  // the context root itself is never matched, only what is in it
        bool ex = m.excluded(clean);
        // a directory that can be skipped must have everything below it excluded
        if (ex && m.can_skip_dir(clean) && !m.excluded(clean + "/x"))
            hoist::fuzz::finding("a skippable directory re-includes a child", clean);
    });
    return 0;
}
