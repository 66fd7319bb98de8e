#include "http/retry.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <ctime>
#include <random>

#include "util/strings.hpp"

namespace hoist::http {

bool is_retryable(const AttemptOutcome& o) {
    if (o.curl_code != 0) {
        switch (o.curl_code) {
            case CURLE_COULDNT_RESOLVE_HOST:
            case CURLE_COULDNT_CONNECT:
            case CURLE_OPERATION_TIMEDOUT:
            case CURLE_SEND_ERROR:
            case CURLE_RECV_ERROR:
            case CURLE_GOT_NOTHING:
            case CURLE_PARTIAL_FILE:
            case CURLE_HTTP2:
            case CURLE_HTTP2_STREAM:
            case CURLE_SSL_CONNECT_ERROR:
            case CURLE_WEIRD_SERVER_REPLY:
            // curl found the reused connection dead mid-upload and wanted to resend the body on a
            // new one; a streamed body cannot be rewound, so it gives up with this code (and the
            // error text of the reset). The caller restarts the whole upload, which is what curl
            // would have done.
            case CURLE_SEND_FAIL_REWIND:
                return true;
            default:
                return false;  // e.g. a certificate problem or our own read callback aborting
        }
    }
    return o.status == 408 || o.status == 429 || (o.status >= 500 && o.status <= 599 && o.status != 501);
}

std::optional<Millis> parse_retry_after(const std::string& value, std::int64_t now_epoch_s) {
    std::string v = trim(value);
    if (v.empty()) return std::nullopt;
    if (auto n = parse_int(v)) {
        if (*n < 0) return std::nullopt;
        return Millis(*n * 1000);
    }
    std::tm tm{};
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (!strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return std::nullopt;
    std::int64_t at = timegm(&tm);
    return Millis(std::max<std::int64_t>(0, at - now_epoch_s) * 1000);
}

std::optional<Millis> retry_delay(const RetryPolicy& p, int attempt, const AttemptOutcome& o, double random01,
                                  std::int64_t now_epoch_s) {
    if (attempt >= p.max_attempts || !is_retryable(o)) return std::nullopt;
    if ((o.status == 429 || o.status == 503) && !o.retry_after.empty())
        if (auto ra = parse_retry_after(o.retry_after, now_epoch_s)) return std::min(*ra, p.max_retry_after);
    // Exponential with "equal jitter": half fixed, half random, so a wait is never ~0 (a restarting
    // registry needs some time) but parallel failures still spread out.
    double exp = static_cast<double>(p.base_delay.count()) * static_cast<double>(1LL << std::min(attempt - 1, 20));
    double capped = std::min(exp, static_cast<double>(p.max_delay.count()));
    return Millis(static_cast<long long>(capped / 2 + capped / 2 * std::clamp(random01, 0.0, 1.0)));
}

double jitter_sample() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace hoist::http
