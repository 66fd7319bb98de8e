#pragma once
/// Loading a pipeline file: read, parse, pick the stage, merge, interpolate, type, validate.
#include <string>
#include <vector>

#include "config/interpolate.hpp"
#include "config/pipeline.hpp"

namespace hoist::config {

struct LoadOptions {
    std::string file = "hoist.yml";
    std::string stage;               ///< --stage; empty: none
    std::vector<std::string> hosts;  ///< --hosts: restrict to these addresses
    EnvLookup env = process_environment();
};

struct LoadResult {
    Pipeline pipeline;
    Diagnostics diagnostics;  ///< sorted by position; errors mean the pipeline must not be used
    bool ok() const { return !diagnostics.has_errors(); }
};

/// Never throws for problems in the file: they are all in `diagnostics`.
LoadResult load_pipeline(const LoadOptions& options);
/// Same, from text already read (tests, fuzzing). `file` names it in messages.
LoadResult load_pipeline_text(const std::string& text, const LoadOptions& options);

}  // namespace hoist::config
