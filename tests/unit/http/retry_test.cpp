#include <gtest/gtest.h>
#include <curl/curl.h>

#include "http/retry.hpp"

using namespace hoist::http;

TEST(Retry, RetryableOutcomes) {
    EXPECT_TRUE(is_retryable({CURLE_COULDNT_CONNECT, 0, ""}));
    EXPECT_TRUE(is_retryable({CURLE_RECV_ERROR, 0, ""}));
    EXPECT_TRUE(is_retryable({CURLE_SEND_ERROR, 0, ""}));
    // A reused connection reset mid-upload: curl cannot rewind a streamed body (seen in CI when
    // the registry was killed during a PATCH); the caller restarts the upload.
    EXPECT_TRUE(is_retryable({CURLE_SEND_FAIL_REWIND, 0, ""}));
    EXPECT_TRUE(is_retryable({0, 408, ""}));
    EXPECT_TRUE(is_retryable({0, 429, ""}));
    EXPECT_TRUE(is_retryable({0, 500, ""}));
    EXPECT_TRUE(is_retryable({0, 503, ""}));
    EXPECT_FALSE(is_retryable({0, 501, ""}));
    EXPECT_FALSE(is_retryable({0, 400, ""}));
    EXPECT_FALSE(is_retryable({0, 401, ""}));
    EXPECT_FALSE(is_retryable({0, 404, ""}));
    EXPECT_FALSE(is_retryable({CURLE_PEER_FAILED_VERIFICATION, 0, ""}));
    EXPECT_FALSE(is_retryable({CURLE_ABORTED_BY_CALLBACK, 0, ""}));
}

TEST(Retry, ExponentialWithBoundedJitterAndCap) {
    RetryPolicy p;
    p.base_delay = Millis(100);
    p.max_delay = Millis(1000);
    p.max_attempts = 10;
    AttemptOutcome o{0, 503, ""};
    EXPECT_EQ(retry_delay(p, 1, o, 0.0, 0)->count(), 50);
    EXPECT_EQ(retry_delay(p, 1, o, 1.0, 0)->count(), 100);
    EXPECT_EQ(retry_delay(p, 2, o, 0.0, 0)->count(), 100);
    EXPECT_EQ(retry_delay(p, 3, o, 0.5, 0)->count(), 300);
    EXPECT_EQ(retry_delay(p, 9, o, 1.0, 0)->count(), 1000);  // capped
    EXPECT_EQ(retry_delay(p, 9, o, 0.0, 0)->count(), 500);
}

TEST(Retry, StopsAtMaxAttemptsAndOnVerdicts) {
    RetryPolicy p;
    p.max_attempts = 3;
    EXPECT_TRUE(retry_delay(p, 2, {CURLE_COULDNT_CONNECT, 0, ""}, 0.5, 0));
    EXPECT_FALSE(retry_delay(p, 3, {CURLE_COULDNT_CONNECT, 0, ""}, 0.5, 0));
    EXPECT_FALSE(retry_delay(p, 1, {0, 403, ""}, 0.5, 0));
}

TEST(Retry, RetryAfterSecondsAndDateWinAndAreCapped) {
    RetryPolicy p;
    p.max_retry_after = Millis(10000);
    EXPECT_EQ(retry_delay(p, 1, {0, 429, "3"}, 0.9, 0)->count(), 3000);
    EXPECT_EQ(retry_delay(p, 1, {0, 429, "3600"}, 0.9, 0)->count(), 10000);
    // Sun, 06 Nov 1994 08:49:37 GMT is 784111777
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111770)->count(), 7000);
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111800)->count(), 0);
    EXPECT_FALSE(parse_retry_after("soon", 0));
    EXPECT_FALSE(parse_retry_after("-1", 0));
}
