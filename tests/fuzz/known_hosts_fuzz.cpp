// Fuzz target: OpenSSH known_hosts parsing (plain, hashed, [host]:port, markers, patterns) and
// lookups against it. Malformed lines are skipped and listed as problems, never thrown.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "ssh/known_hosts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        auto kh = hoist::ssh::KnownHosts::parse(text);
        for (const auto& e : kh.entries()) {
            if (e.line < 1) hoist::fuzz::finding("entry without a line", e.hosts);
            // every key of the file is trusted for a name its own (plain) host field lists
            (void)kh.check("10.0.0.1", 22, e.key_blob);
            (void)kh.check("bastion.example", 2222, e.key_blob);
            (void)hoist::ssh::KnownHosts::field_matches(e.hosts, "[10.0.0.1]:2222");
        }
        (void)kh.key_types_for("10.0.0.1", 22);
        (void)kh.any_hashed();
    } catch (const std::exception& e) {
        hoist::fuzz::finding("known_hosts parsing threw", e.what());
    }
    return 0;
}
