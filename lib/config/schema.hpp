#pragma once
/// The pipeline schema: reads a merged, interpolated tree into a typed Pipeline.
#include "config/pipeline.hpp"
#include "config/reader.hpp"

namespace hoist::config {

/// Fills `p` from `root`, reporting every problem through `r`.
void read_pipeline(Reader& r, const Node& root, Pipeline& p);

const std::vector<std::string>& top_level_keys();

}  // namespace hoist::config
