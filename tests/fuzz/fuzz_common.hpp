#pragma once
/// What every fuzz target checks beyond "no crash, no leak, no hang" (the sanitizers and
/// libFuzzer's -timeout see to those): an input the code rejects must be rejected with a message
/// a person can act on, as the documented error type. Any other exception escaping a parser
/// (std::out_of_range from a substr, nlohmann::json's type_error, std::regex_error, ...) would
/// reach main() as an unexplained failure, so it aborts here and libFuzzer keeps the input.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <typeinfo>

#include "util/error.hpp"

namespace hoist::fuzz {

[[noreturn]] inline void finding(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz finding: %s: %s\n", what, detail.c_str());
    std::abort();
}

/// Runs `parse`; a hoist::Error (or `Allowed`) with a non-empty message is a clean rejection.
template <typename Allowed = hoist::Error, typename F>
void expect_clean(F&& parse) {
    try {
        parse();
    } catch (const hoist::Error& e) {
        if (std::string(e.what()).empty()) finding("hoist::Error without a message", "");
    } catch (const Allowed& e) {
        if (std::string(e.what()).empty()) finding("rejection without a message", typeid(e).name());
    } catch (const std::exception& e) {
        finding(typeid(e).name(), e.what());
    }
}

}  // namespace hoist::fuzz
