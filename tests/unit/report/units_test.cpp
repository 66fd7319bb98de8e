// Human units, and the progress bar line drawn on terminals.
#include "report/units.hpp"

#include <gtest/gtest.h>

#include "report/progress.hpp"

using namespace hoist::report;

TEST(Units, Bytes) {
    EXPECT_EQ(human_bytes(0), "0 B");
    EXPECT_EQ(human_bytes(1023), "1023 B");
    EXPECT_EQ(human_bytes(1536), "1.5 KB");
    EXPECT_EQ(human_bytes(1024 * 1024 - 1), "1.0 MB");  // not "1024.0 KB"
    EXPECT_EQ(human_bytes(12LL * 1024 * 1024 + 300 * 1024), "12.3 MB");
    EXPECT_EQ(human_bytes(3LL * 1024 * 1024 * 1024), "3.0 GB");
    EXPECT_EQ(human_bytes(-1), "?");
    EXPECT_EQ(human_rate(5.1 * 1024 * 1024), "5.1 MB/s");
}

TEST(Units, Durations) {
    EXPECT_EQ(human_duration_ms(0), "0 ms");
    EXPECT_EQ(human_duration_ms(850), "850 ms");
    EXPECT_EQ(human_duration_ms(4249), "4.2 s");
    EXPECT_EQ(human_duration_ms(59949), "59.9 s");
    EXPECT_EQ(human_duration_ms(59950), "1m 00s");
    EXPECT_EQ(human_duration_ms(65000), "1m 05s");
    EXPECT_EQ(human_duration_ms(3599499), "59m 59s");
    EXPECT_EQ(human_duration_ms(3599500), "1h 00m");
    EXPECT_EQ(human_duration_ms(7380000), "2h 03m");
}

TEST(Progress, EtaText) {
    EXPECT_EQ(eta_text(0.4), "<1s");
    EXPECT_EQ(eta_text(42), "42s");
    EXPECT_EQ(eta_text(185), "3m05s");
    EXPECT_EQ(eta_text(3720), "1h02m");
}

TEST(Progress, BarLineWithRateAndEta) {
    // 10 MB of 30 MB in 2 s: 5 MB/s, 4 s to go; 80 columns leave a bar of 26 cells, a third full,
    // and the line ends one column short of the edge so the terminal never wraps it
    std::int64_t mb = 1024 * 1024;
    std::string plain = render_bar_line("layer 2/3", 10 * mb, 30 * mb, 2.0, 80, false);
    EXPECT_EQ(plain, "layer 2/3     [########------------------]  10.0 MB / 30.0 MB  5.0 MB/s  ETA 4s");
    EXPECT_EQ(plain.size(), 79u);
    EXPECT_EQ(render_bar_line("layer 2/3", 10 * mb, 30 * mb, 2.0, 80, true),
              "layer 2/3     [\033[32m########\033[0m------------------]  10.0 MB / 30.0 MB  5.0 MB/s  ETA 4s");
    EXPECT_EQ(render_bar_line("layer 2/3", 30 * mb, 30 * mb, 2.0, 120, false),
              "layer 2/3     [########################################]  30.0 MB / 30.0 MB  15.0 MB/s");
}

TEST(Progress, UnknownSizeAndNarrowTerminals) {
    EXPECT_EQ(render_bar_line("config", 0, -1, 0, 60, false), "config        [                                      ]  0 B");
    std::string narrow = render_bar_line("a-very-long-label", 5 * 1024 * 1024, 30 * 1024 * 1024, 1.0, 30, false);
    EXPECT_EQ(narrow, "a-very-long-  5.0 MB / 30.0 M");  // no bar, cut to width-1 so it never wraps
}

TEST(Progress, BarsAreErasedBeforeOtherLinesAndDrawnAgain) {
    std::FILE* f = std::tmpfile();
    auto t = std::chrono::steady_clock::time_point{};
    {
        ProgressBars bars(f, false, [&t] { return t; });
        bars.start("layer 1/2", 100);
        t += std::chrono::seconds(1);
        bars.update("layer 1/2", 50, 100);
        bars.finish("layer 1/2");
    }
    std::rewind(f);
    std::string got;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) got.append(buf, n);
    std::fclose(f);
    std::string bar0 = render_bar_line("layer 1/2", 0, 100, 0, 80, false) + "\n";
    std::string bar50 = render_bar_line("layer 1/2", 50, 100, 1.0, 80, false) + "\n";
    EXPECT_EQ(got, bar0 + "\r\033[1A\033[J" + bar50 + "\r\033[1A\033[J");
}
