#pragma once
/// Where every user-facing line goes: human text or JSON lines (spec section 4).
///
/// Human mode: results on stdout, progress and messages on stderr, colour only on a terminal.
/// JSON mode: one object per line on stdout, each with "event" and "time"; human messages on stderr.
/// Not on a terminal (Jenkins, a log file): plain lines, one event per line, each message line
/// prefixed with its time. Under GitHub Actions: phases folded with ::group::, errors and warnings
/// as ::error::/::warning:: annotations, secrets registered with ::add-mask:: (the only place a
/// secret value is ever written, and only there), no timestamps (the runner adds its own).
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "report/progress.hpp"
#include "util/secret.hpp"

namespace hoist::report {

enum class Format { human, json };

struct OutputOptions {
    Format format = Format::human;
    bool color = false;     ///< decided once from --no-color, NO_COLOR, TERM and isatty
    bool progress = false;  ///< live progress bars on stderr (a terminal, human mode, colour allowed, not -q)
    bool timestamps = false;  ///< prefix message lines with the time (stderr is not a terminal)
    bool github = false;      ///< emit GitHub Actions workflow commands
    int verbosity = 0;        ///< -1 quiet (only errors), 0 normal, 1 verbose
};

/// RFC 3339 UTC time with milliseconds, e.g. 2026-11-22T05:01:02.123Z.
std::string rfc3339_now();

/// The JSON line of an event: {"event": name, "time": now} plus `fields`.
nlohmann::json event_object(const std::string& name, const nlohmann::json& fields = nlohmann::json::object());

/// Thread-safe: every member takes the output's own lock, so the build-and-push thread, the
/// deploy engine's host threads and the main thread can all write lines and events; a line is
/// never interleaved with another or with the bars (one lock, owned here, not by the callers).
class Output {
  public:
    explicit Output(OutputOptions options, std::FILE* out = stdout, std::FILE* err = stderr)
        : m_options(options), m_out(out), m_err(err) {}
    ~Output();

    const OutputOptions& options() const { return m_options; }
    bool json() const { return m_options.format == Format::json; }

    /// A JSON event line (JSON mode only; ignored in human mode).
    void event(const std::string& name, nlohmann::json fields = nlohmann::json::object());
    /// An event line built with event_object (JSON mode only).
    void event_line(const nlohmann::json& line);
    /// Result text for people: stdout in human mode, nothing in JSON mode.
    void result(const std::string& text);
    void info(const std::string& text);     ///< stderr, hidden by -q
    void verbose(const std::string& text);  ///< stderr, only with -v
    void warning(const std::string& text);  ///< stderr, hidden by -q; ::warning:: under GitHub Actions
    void error(const std::string& text);    ///< stderr, always; ::error:: under GitHub Actions

    /// A phase of the run ("build", "push", "rollout"): `::group::NAME` under GitHub Actions, a
    /// header line otherwise (hidden by -q), and in JSON mode a `phase` event with "status":
    /// "started". Phases do not nest: beginning one ends the one still open.
    void begin_phase(const std::string& name);
    /// Ends the open phase (no-op when none): `::endgroup::`, and a `phase` event with "status"
    /// "finished" or "failed" and its "duration_ms".
    void end_phase(bool failed = false);

    /// Registers a secret with the GitHub Actions log masker (`::add-mask::`). Does nothing unless
    /// under GitHub Actions, so the value is never written anywhere else.
    void mask(const Secret& secret);
    /// A file annotation under GitHub Actions (`::error file=,line=,col=::`); nothing otherwise.
    void annotate(bool is_error, const std::string& message, const std::string& file, int line, int column);

    /// Draws on the progress bars for transfers, under the output's lock; does nothing when they
    /// are off (not a terminal, -q, JSON, no colour). Created on first use; end_bars() erases and
    /// drops them.
    void with_bars(const std::function<void(ProgressBars&)>& draw);
    void end_bars();

    /// Colour helpers: return `text` wrapped in ANSI codes only when colour is on.
    std::string bold(const std::string& text) const;
    std::string red(const std::string& text) const;
    std::string yellow(const std::string& text) const;
    std::string green(const std::string& text) const;

  private:
    std::string paint(const char* code, const std::string& text) const;
    /// Writes a message to `f`: the time before every line when timestamps are on, with the
    /// progress bars cleared around it.
    void write(std::FILE* f, const std::string& text, bool stamp);
    /// `text` as a message may show it (github::neutralize_commands under GitHub Actions).
    std::string shown(const std::string& text) const;
    OutputOptions m_options;
    std::FILE* m_out;
    std::FILE* m_err;
    std::unique_ptr<ProgressBars> m_bars;
    std::recursive_mutex m_mutex;  ///< recursive: a phase change writes an event and a line
    std::string m_phase;  ///< the open phase, empty when none
    std::chrono::steady_clock::time_point m_phase_start{};
};

/// Ends a phase when it goes out of scope, as failed when an exception is leaving it, so the
/// GitHub group is closed before main() prints the error.
class Phase {
  public:
    Phase(Output& out, const std::string& name) : m_out(out), m_exceptions(std::uncaught_exceptions()) {
        m_out.begin_phase(name);
    }
    ~Phase() { m_out.end_phase(std::uncaught_exceptions() > m_exceptions); }
    Phase(const Phase&) = delete;
    Phase& operator=(const Phase&) = delete;

  private:
    Output& m_out;
    int m_exceptions;
};

}  // namespace hoist::report
