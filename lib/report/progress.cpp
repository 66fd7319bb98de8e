#include "report/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include "report/units.hpp"

namespace hoist::report {

namespace {
constexpr int max_lines = 8;  // more transfers than this share one "and N more" line
constexpr auto redraw_interval = std::chrono::milliseconds(100);
}  // namespace

std::string eta_text(double s) {
    char buf[32];
    if (s < 1) return "<1s";
    auto n = static_cast<long long>(s + 0.5);
    if (n < 60)
        std::snprintf(buf, sizeof buf, "%llds", n);
    else if (n < 3600)
        std::snprintf(buf, sizeof buf, "%lldm%02llds", n / 60, n % 60);
    else
        std::snprintf(buf, sizeof buf, "%lldh%02lldm", n / 3600, (n % 3600) / 60);
    return buf;
}

std::string render_bar_line(const std::string& label, std::int64_t done, std::int64_t total, double elapsed,
                            int width, bool color) {
    std::string name = label.size() > 12 ? label.substr(0, 12) : label + std::string(12 - label.size(), ' ');
    double rate = elapsed > 0.05 ? static_cast<double>(done) / elapsed : 0;
    std::string tail = "  " + human_bytes(done);
    if (total >= 0) tail += " / " + human_bytes(total);
    if (rate > 0) tail += "  " + human_rate(rate);
    if (total > 0 && rate > 0 && done < total)
        tail += "  ETA " + eta_text(static_cast<double>(total - done) / rate);
    // "name  [bar]tail": the bar takes what is left of the line, between 10 and 40 columns
    int room = width - 1 - static_cast<int>(name.size()) - 4 - static_cast<int>(tail.size());
    int cells = std::clamp(room, 10, 40);
    std::string line;
    if (room < 10) {  // a narrow terminal: no bar, and the line cut to fit so it never wraps
        line = (name + tail).substr(0, static_cast<std::size_t>(std::max(width - 1, 1)));
        return line;
    }
    int filled = total > 0 ? static_cast<int>(static_cast<double>(cells) *
                                              std::min<double>(1.0, double(done) / double(total)))
                           : 0;
    std::string fill(static_cast<std::size_t>(filled), '#');
    std::string rest(static_cast<std::size_t>(cells - filled), total >= 0 ? '-' : ' ');
    if (color && filled > 0) fill = "\033[32m" + fill + "\033[0m";
    return name + "  [" + fill + rest + "]" + tail;
}

int terminal_width(std::FILE* f) {
    winsize ws{};
    if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

ProgressBars::ProgressBars(std::FILE* tty, bool color, Clock clock)
    : m_tty(tty), m_color(color), m_clock(std::move(clock)) {}

ProgressBars::Bar* ProgressBars::find(const std::string& label) {
    for (auto& b : m_bars)
        if (b.label == label) return &b;
    return nullptr;
}

void ProgressBars::start(const std::string& label, std::int64_t total) {
    if (Bar* b = find(label)) {  // a retry starts the blob again
        b->done = 0;
        b->total = total;
        b->started = m_clock();
    } else {
        m_bars.push_back({label, 0, total, m_clock()});
    }
    clear();
    redraw();
}

void ProgressBars::update(const std::string& label, std::int64_t done, std::int64_t total) {
    Bar* b = find(label);
    if (!b) return;
    b->done = done;
    b->total = total;
    if (m_clock() - m_last_draw < redraw_interval) return;
    clear();
    redraw();
}

void ProgressBars::finish(const std::string& label) {
    m_bars.erase(std::remove_if(m_bars.begin(), m_bars.end(), [&](const Bar& b) { return b.label == label; }),
                 m_bars.end());
    clear();
    redraw();
}

void ProgressBars::clear() {
    if (m_drawn == 0) return;
    // up to the first bar line, then erase from there to the end of the screen
    std::fprintf(m_tty, "\r\033[%dA\033[J", m_drawn);
    std::fflush(m_tty);
    m_drawn = 0;
}

void ProgressBars::redraw() {
    if (m_drawn) clear();
    if (m_bars.empty()) return;
    int width = terminal_width(m_tty);
    auto now = m_clock();
    std::string text;
    int shown = 0;
    for (const auto& b : m_bars) {
        if (shown == max_lines - 1 && m_bars.size() > static_cast<std::size_t>(max_lines)) {
            text += "  ... and " + std::to_string(m_bars.size() - shown) + " more\n";
            ++shown;
            break;
        }
        double elapsed = std::chrono::duration<double>(now - b.started).count();
        text += render_bar_line(b.label, b.done, b.total, elapsed, width, m_color) + "\n";
        ++shown;
    }
    std::fputs(text.c_str(), m_tty);
    std::fflush(m_tty);
    m_drawn = shown;
    m_last_draw = now;
}

}  // namespace hoist::report
