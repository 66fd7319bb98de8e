// Fuzz target: JSON hoist reads from hosts and helpers: `docker ps --format '{{json .}}'` lines,
// history.jsonl, a token service's answer, a credential helper's answer and config.json "auths".
// Ill-typed fields must be absent or a hoist::Error, never a json exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "deploy/history.hpp"
#include "deploy/state.hpp"
#include "fuzz_common.hpp"
#include "registry/credentials.hpp"
#include "registry/token_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    using hoist::fuzz::expect_clean;
    expect_clean([&] { (void)hoist::deploy::parse_container_list(text); });
    expect_clean([&] {
        auto entries = hoist::deploy::parse_history(text);
        for (const auto& e : entries) (void)e.to_json().dump();
        if (!entries.empty()) (void)hoist::deploy::previous_tag(entries, entries.back().tag, "fuzz");
    });
    expect_clean([&] { (void)hoist::registry::parse_token_response(text); });
    expect_clean([&] { (void)hoist::registry::parse_helper_answer(text, "fuzz"); });
    expect_clean([&] { (void)hoist::registry::credentials_from_auths(text, "reg.example", "config.json"); });
    return 0;
}
