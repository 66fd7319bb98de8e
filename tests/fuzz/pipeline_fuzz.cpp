// Fuzz target: the pipeline loader (YAML -> located tree -> stage merge -> interpolation -> schema).
// Every problem must come back as a located diagnostic; the loader never throws for file content.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/loader.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    hoist::config::LoadOptions opts;
    opts.file = "hoist.yml";
    // a fixed environment: the fuzzer must not depend on (or leak) the machine's variables
    opts.env = [](const std::string& name) -> std::optional<std::string> {
        if (name == "SET") return std::string("value");
        if (name == "EMPTY") return std::string();
        return std::nullopt;
    };
    // the second pass picks a stage, which exercises the deep merge
    for (const char* stage : {"", "staging"}) {
        opts.stage = stage;
        try {
            auto r = hoist::config::load_pipeline_text(text, opts);
            for (const auto& d : r.diagnostics.all()) {
                if (d.message.empty()) hoist::fuzz::finding("diagnostic without a message", d.format());
                if (d.where.file != "hoist.yml") hoist::fuzz::finding("diagnostic names another file", d.format());
            }
        } catch (const std::exception& e) {
            hoist::fuzz::finding("the loader threw for file content", e.what());
        }
    }
    return 0;
}
