// Fuzz target: WWW-Authenticate challenges (quoted strings with escapes, bare tokens, several
// challenges in one header), the token scopes built from them, and Location resolution.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "registry/challenge.hpp"
#include "http/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string header(reinterpret_cast<const char*>(data), size);
    try {
        auto all = hoist::registry::parse_challenges(header);
        for (const auto& c : all) {
            for (char ch : c.scheme)
                if (ch >= 'A' && ch <= 'Z') hoist::fuzz::finding("scheme not lower case", c.scheme);
            (void)hoist::registry::merge_scopes({"repository:acme/web:pull,push"}, c.param("scope"));
        }
        (void)hoist::registry::find_challenge(all, "bearer");
        // the same bytes as a Location header against an upload URL
        (void)hoist::http::resolve_location("https://registry.example:5000/v2/acme/web/blobs/uploads/?x=1", header);
        (void)hoist::http::Url::parse(header);
    } catch (const std::exception& e) {
        hoist::fuzz::finding("challenge or Location handling threw", e.what());
    }
    return 0;
}
