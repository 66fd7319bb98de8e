#pragma once
/// Durations as people write them (the pipeline's `500ms`, `10s`, `5m`, `1h`).
#include <chrono>
#include <string>

namespace hoist {

/// The shortest exact spelling of a duration: 1500ms -> "1500ms", 60000ms -> "1m".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace hoist
