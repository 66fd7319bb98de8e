// Fuzz target: the HTTP response parser of the health check. The answer comes from the deployed
// app (the image being deployed); sizes it states (chunks, Content-Length) must not be trusted.
// Also the host's dockerd answering registry.direct's POST /images/load (deploy/engine_api.hpp).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "deploy/engine_api.hpp"
#include "ssh/http_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string raw(reinterpret_cast<const char*>(data), size);
    hoist::fuzz::expect_clean([&] {
        auto r = hoist::ssh::parse_http_response(raw);
        if (r.status == 0 && r.error.empty()) hoist::fuzz::finding("no response and no reason", raw.substr(0, 80));
        if (r.body.size() > raw.size()) hoist::fuzz::finding("a body larger than the response", raw.substr(0, 80));
    });
    hoist::fuzz::expect_clean([&] {
        std::string hex(64, 'a');
        auto why = hoist::deploy::engine_load_error(raw, hex);
        if (why.empty() && raw.find("sha256:" + hex) == std::string::npos)
            hoist::fuzz::finding("a load accepted without the image's ID", raw.substr(0, 80));
    });
    return 0;
}
