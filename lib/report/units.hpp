#pragma once
/// Sizes, rates and durations in the units people read: "4.2 MB", "12.5 MB/s", "1m 05s".
#include <cstdint>
#include <string>

namespace hoist::report {

/// Bytes with a binary multiple and one decimal: "512 B", "1.5 KB", "12.3 MB", "2.0 GB".
/// Negative (unknown) sizes are "?".
std::string human_bytes(std::int64_t bytes);

/// A transfer rate: human_bytes(per second) + "/s".
std::string human_rate(double bytes_per_second);

/// A duration for messages and summaries: "850 ms", "4.2 s", "1m 05s", "2h 03m".
/// Below a second in milliseconds; below a minute with one decimal; then minutes and seconds.
std::string human_duration_ms(std::int64_t ms);

}  // namespace hoist::report
