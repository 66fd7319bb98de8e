#pragma once
/// Where every user-facing line goes: human text or JSON lines (spec section 4).
///
/// Human mode: results on stdout, progress and messages on stderr, colour only on a terminal.
/// JSON mode: one object per line on stdout, each with "event" and "time"; human messages on stderr.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

namespace hoist::report {

enum class Format { human, json };

struct OutputOptions {
    Format format = Format::human;
    bool color = false;  ///< decided once from --no-color, NO_COLOR and isatty
    int verbosity = 0;   ///< -1 quiet, 0 normal, 1 verbose
};

/// RFC 3339 UTC time with milliseconds, e.g. 2026-11-22T05:01:02.123Z.
std::string rfc3339_now();

class Output {
public:
    explicit Output(OutputOptions options, std::FILE* out = stdout, std::FILE* err = stderr)
        : m_options(options), m_out(out), m_err(err) {}

    const OutputOptions& options() const { return m_options; }
    bool json() const { return m_options.format == Format::json; }

    /// A JSON event line (JSON mode only; ignored in human mode).
    void event(const std::string& name, nlohmann::json fields = nlohmann::json::object());
    /// Result text for people: stdout in human mode, nothing in JSON mode.
    void result(const std::string& text);
    void info(const std::string& text);     ///< stderr, hidden by -q
    void verbose(const std::string& text);  ///< stderr, only with -v
    void warning(const std::string& text);  ///< stderr, always
    void error(const std::string& text);    ///< stderr, always

    /// Colour helpers: return `text` wrapped in ANSI codes only when colour is on.
    std::string bold(const std::string& text) const;
    std::string red(const std::string& text) const;
    std::string yellow(const std::string& text) const;
    std::string green(const std::string& text) const;

private:
    std::string paint(const char* code, const std::string& text) const;
    OutputOptions m_options;
    std::FILE* m_out;
    std::FILE* m_err;
};

}  // namespace hoist::report
