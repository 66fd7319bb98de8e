#include "report/units.hpp"

#include <cstdio>

namespace hoist::report {

std::string human_bytes(std::int64_t n) {
    if (n < 0) return "?";
    char buf[32];
    if (n < 1024) {
        std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(n));
        return buf;
    }
    static constexpr const char* units[] = {"KB", "MB", "GB", "TB"};
    double v = static_cast<double>(n) / 1024;
    int u = 0;
    // 1023.95 would print as "1024.0 KB": move up a unit before rounding does it for us
    while (v >= 1023.95 && u < 3) {
        v /= 1024;
        ++u;
    }
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    return buf;
}

std::string human_rate(double bytes_per_second) {
    if (bytes_per_second < 0) return "?/s";
    return human_bytes(static_cast<std::int64_t>(bytes_per_second)) + "/s";
}

std::string human_duration_ms(std::int64_t ms) {
    char buf[48];
    if (ms < 0) ms = 0;
    if (ms < 1000) {
        std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(ms));
    } else if (ms < 59950) {  // 59.96 s would round to "60.0 s"
        std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000);
    } else if (ms < 3599500) {  // 59m 59.5s would round to "60m 00s"
        long long s = (ms + 500) / 1000;
        std::snprintf(buf, sizeof buf, "%lldm %02llds", s / 60, s % 60);
    } else {
        long long m = (ms + 30000) / 60000;
        std::snprintf(buf, sizeof buf, "%lldh %02lldm", m / 60, m % 60);
    }
    return buf;
}

}  // namespace hoist::report
