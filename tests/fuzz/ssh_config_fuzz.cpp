// Fuzz target: the ~/.ssh/config subset (Host patterns, negation, first match wins, HostName %h,
// ProxyJump chains). Unsupported or malformed lines are problems, never exceptions.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "ssh/ssh_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        auto cfg = hoist::ssh::SshConfig::parse(text);
        for (const char* name : {"web1", "10.0.1.11", "bastion.example.com", "db-prod"}) {
            auto r = cfg.resolve(name);
            if (r.hostname.empty()) hoist::fuzz::finding("resolved to an empty HostName", name);
            if (r.port && (*r.port < 1 || *r.port > 65535)) hoist::fuzz::finding("port out of range", std::to_string(*r.port));
            for (const auto& hop : r.proxy_jump) {
                if (hop.host.empty()) hoist::fuzz::finding("jump hop without a host", hoist::ssh::to_string(hop));
                (void)hoist::ssh::parse_jump(hoist::ssh::to_string(hop));
            }
        }
        (void)hoist::ssh::parse_jump(text);
    } catch (const std::exception& e) {
        hoist::fuzz::finding("ssh_config parsing threw", e.what());
    }
    return 0;
}
