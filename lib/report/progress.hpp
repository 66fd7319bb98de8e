#pragma once
/// Live progress bars on a terminal: one line per transfer in flight, redrawn in place below the
/// log lines, e.g.
///
///     layer 2/3     [########------------]  12.3 MB / 30.0 MB  5.1 MB/s  ETA 4s
///
/// Only ever used when stderr is a terminal (report::Output decides); everything else prints
/// plain lines. Output clears the bars before any other line and draws them again after it, so
/// log lines scroll up above them. Not thread-safe: the push engine reports from one thread.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace hoist::report {

/// One bar line of at most `width` columns (plain text plus ANSI colour codes when `color`).
/// `total` < 0: size not known yet (a layer still being compressed): no bar fill, no ETA.
std::string render_bar_line(const std::string& label, std::int64_t done, std::int64_t total,
                            double elapsed_seconds, int width, bool color);

/// "ETA" text: "<1s", "42s", "3m05s", "1h02m".
std::string eta_text(double seconds);

class ProgressBars {
  public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    explicit ProgressBars(
        std::FILE* tty, bool color, Clock clock = [] { return std::chrono::steady_clock::now(); });
    ~ProgressBars() { clear(); }
    ProgressBars(const ProgressBars&) = delete;
    ProgressBars& operator=(const ProgressBars&) = delete;

    void start(const std::string& label, std::int64_t total);
    /// Redraws at most every 100 ms (the engine may call it more often across blobs).
    void update(const std::string& label, std::int64_t done, std::int64_t total);
    void finish(const std::string& label);

    /// Erases the drawn bars (the cursor goes back to where they began).
    void clear();
    /// Draws the bars of the transfers in flight.
    void redraw();

  private:
    struct Bar {
        std::string label;
        std::int64_t done = 0, total = -1;
        std::chrono::steady_clock::time_point started;
    };
    Bar* find(const std::string& label);
    std::FILE* m_tty;
    bool m_color;
    Clock m_clock;
    std::vector<Bar> m_bars;
    int m_drawn = 0;  ///< lines currently on screen
    std::chrono::steady_clock::time_point m_last_draw{};
};

/// Columns of the terminal on `f` (TIOCGWINSZ), or 80.
int terminal_width(std::FILE* f);

}  // namespace hoist::report
