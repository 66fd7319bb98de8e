// Fuzz target: the tar indexer that reads docker-archive tarballs (`push --from docker-archive:`).
// Sizes come from the archive; every walk must end, inside the input, with members inside it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.hpp"
#include "oci/tar_index.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    hoist::fuzz::expect_clean([&] {
        for (const auto& [name, m] : hoist::oci::index_tar_bytes(bytes, "fuzz.tar"))
            if (m.offset < 0 || m.size < 0 || std::size_t(m.offset) > size || std::size_t(m.size) > size - std::size_t(m.offset))
                hoist::fuzz::finding("member outside the archive", name);
    });
    return 0;
}
