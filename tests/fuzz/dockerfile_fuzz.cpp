// Fuzz target: the Dockerfile parser (directives, continuations, flags, exec form, heredoc refusal).
// A syntax error is a hoist::Error "Dockerfile:LINE: message".
#include <cstddef>
#include <cstdint>
#include <string>

#include "image/dockerfile.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    hoist::fuzz::expect_clean([&] {
        auto df = hoist::image::parse_dockerfile(text);
        int last = 0;
        for (const auto& ins : df.instructions) {
            if (ins.line < 1 || ins.line < last) hoist::fuzz::finding("instruction line out of order", ins.original);
            if (ins.keyword.empty()) hoist::fuzz::finding("instruction without a keyword", ins.original);
            last = ins.line;
        }
    });
    return 0;
}
