// Fuzz target: the AWS shared config and credentials files (INI with profiles and nested
// sections), read from the CI machine's home or AWS_CONFIG_FILE.
#include <cstddef>
#include <cstdint>
#include <string>

#include "aws/profile_files.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    for (bool config : {true, false})
        hoist::fuzz::expect_clean([&] { (void)hoist::aws::parse_profile_file(text, config); });
    return 0;
}
