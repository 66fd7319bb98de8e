// Fuzz target: what hoist reads back from load balancers: the nginx upstream file it owns (the
// file may have been edited by hand) and HAProxy's `show servers state` and `show stat` output.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "lb/haproxy.hpp"
#include "lb/nginx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    using hoist::fuzz::expect_clean;
    expect_clean([&] {
        if (auto pool = hoist::lb::parse_nginx_upstream(text, "web"))
            (void)hoist::lb::render_nginx_upstream("web", "web", *pool);
    });
    expect_clean([&] { (void)hoist::lb::parse_servers_state(text, "web"); });
    expect_clean([&] { (void)hoist::lb::parse_current_sessions(text, "web"); });
    return 0;
}
