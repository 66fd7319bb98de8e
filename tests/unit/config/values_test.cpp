#include "config/values.hpp"

#include <gtest/gtest.h>

using namespace hoist::config;
using namespace std::chrono_literals;

TEST(Duration, ParsesEveryUnit) {
    EXPECT_EQ(parse_duration("500ms"), Duration(500));
    EXPECT_EQ(parse_duration("10s"), Duration(10s));
    EXPECT_EQ(parse_duration("5m"), Duration(5min));
    EXPECT_EQ(parse_duration("1h"), Duration(1h));
    EXPECT_EQ(parse_duration("1m30s"), Duration(90s));
    EXPECT_EQ(parse_duration("0"), Duration(0));
}

TEST(Duration, RejectsMalformed) {
    for (const char* bad : {"", "10", "10x", "s", "1.5s", "-1s", "10 s", "ms10", "1d"})
        EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
}

TEST(Duration, FormatsShortestExactSpelling) {
    EXPECT_EQ(format_duration(Duration(1500)), "1500ms");
    EXPECT_EQ(format_duration(Duration(60000)), "1m");
    EXPECT_EQ(format_duration(Duration(2000)), "2s");
    EXPECT_EQ(format_duration(Duration(0)), "0s");
    EXPECT_EQ(format_duration(Duration(7200000)), "2h");
}

TEST(HostString, ParsesUserHostPort) {
    std::string err;
    auto h = parse_host_string("deploy@10.0.1.12:2222", err);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->user, "deploy");
    EXPECT_EQ(h->address, "10.0.1.12");
    EXPECT_EQ(h->port, 2222);
    h = parse_host_string("web1.example.com", err);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->user, "");
    EXPECT_EQ(h->port, 0);
    h = parse_host_string("[fd00::5]:22", err);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->address, "fd00::5");
    EXPECT_EQ(h->port, 22);
}

TEST(HostString, ExplainsMalformed) {
    std::string err;
    EXPECT_FALSE(parse_host_string("10.0.1.1:99999", err));
    EXPECT_EQ(err, "invalid port '99999' in '10.0.1.1:99999' (must be 1-65535)");
    EXPECT_FALSE(parse_host_string("fd00::5", err));
    EXPECT_EQ(err, "IPv6 addresses must be written in brackets, e.g. [fd00::5]:22");
    EXPECT_FALSE(parse_host_string("@host", err));
    EXPECT_EQ(err, "empty user before '@' in '@host'");
    EXPECT_FALSE(parse_host_string("host:", err));
    EXPECT_FALSE(parse_host_string("[::1", err));
    EXPECT_EQ(err, "unclosed '[' in '[::1'");
}

TEST(CountOrPercent, ResolvesAgainstTotal) {
    auto c = parse_count_or_percent("25%");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->percent);
    EXPECT_EQ(c->resolve(8), 2);
    EXPECT_EQ(c->resolve(3), 1);  // never below one host
    EXPECT_EQ(parse_count_or_percent("2")->resolve(10), 2);
    EXPECT_FALSE(parse_count_or_percent("150%"));
    EXPECT_FALSE(parse_count_or_percent("-1"));
    EXPECT_FALSE(parse_count_or_percent("two"));
}

// Terms were multiplied and summed unchecked: "999999999999h" three times overflowed (undefined
// behaviour), and any huge value overflowed later in `now() + duration`.
TEST(Duration, HugeValuesAreRejectedNotOverflowed) {
    EXPECT_FALSE(parse_duration("999999999999h999999999999h999999999999h").has_value());
    EXPECT_FALSE(parse_duration("999999999999h").has_value());
    EXPECT_EQ(parse_duration("87600h"), Duration(87600h));  // ten years, the longest
    EXPECT_FALSE(parse_duration("87600h1ms").has_value());
}
