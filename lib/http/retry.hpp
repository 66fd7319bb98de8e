#pragma once
/// When to retry an HTTP request (registry, AWS, Docker Engine), and how long to wait first.
///
/// Retried: connection-level failures (refused, reset, timed out, DNS hiccup: the registry is
/// restarting or a load balancer dropped us), 408, 429 and 5xx. Not retried: every other 4xx,
/// which is a verdict (denied, unknown blob, bad digest) that repeating will not change.
/// Waits grow exponentially with full jitter (AWS "Exponential Backoff And Jitter"), so many
/// parallel uploads that failed together do not come back together; a `Retry-After` from the
/// registry wins over the computed wait (capped, so a hostile value cannot stall a deploy).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace hoist::http {

using Millis = std::chrono::milliseconds;

struct RetryPolicy {
    int max_attempts = 7;              ///< total attempts, including the first
    Millis base_delay{250};            ///< wait before the 2nd attempt (before jitter)
    Millis max_delay{8000};            ///< cap of the exponential wait
    Millis max_retry_after{60000};     ///< cap applied to Retry-After
};

/// What came back from one attempt: a transport error (curl code != 0) or an HTTP status.
struct AttemptOutcome {
    int curl_code = 0;          ///< CURLcode; 0 when a response arrived
    long status = 0;            ///< HTTP status when curl_code == 0
    std::string retry_after;    ///< the Retry-After header, if any
};

/// True when the outcome is worth another attempt (regardless of how many were made).
bool is_retryable(const AttemptOutcome& outcome);

/// Parses Retry-After: delta-seconds or an HTTP-date (relative to `now_epoch_s`); nullopt if bad.
std::optional<Millis> parse_retry_after(const std::string& value, std::int64_t now_epoch_s);

/// The wait before attempt number `attempt + 1` after `attempt` attempts (1-based) failed with
/// `outcome`, or nullopt when no retry should be made. `random01` is a uniform sample in [0,1)
/// (injected so the decision is testable).
std::optional<Millis> retry_delay(const RetryPolicy& policy, int attempt, const AttemptOutcome& outcome,
                                  double random01, std::int64_t now_epoch_s);

/// A uniform sample in [0,1) from a thread-local generator.
double jitter_sample();

}  // namespace hoist::http
