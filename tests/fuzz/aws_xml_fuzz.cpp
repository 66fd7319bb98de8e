// Fuzz target: the XML reader for AWS Query API answers. Malformed input and DOCTYPEs are
// refused with an XmlError naming the line and column.
#include <cstddef>
#include <cstdint>
#include <string>

#include "aws/xml.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    hoist::fuzz::expect_clean<hoist::aws::XmlError>([&] {
        auto root = hoist::aws::parse_xml(text);
        (void)root.text_at("Error/Code");
        (void)root.members("DescribeTargetHealthResult/TargetHealthDescriptions");
    });
    return 0;
}
