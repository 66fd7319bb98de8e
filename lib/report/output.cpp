#include "report/output.hpp"

#include <ctime>

#include "report/github.hpp"

namespace hoist::report {

std::string rfc3339_now() {
    using namespace std::chrono;
    auto now = system_clock::now();
    std::time_t t = system_clock::to_time_t(now);
    auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03lldZ", buf, static_cast<long long>(ms));
    return out;
}

nlohmann::json event_object(const std::string& name, const nlohmann::json& fields) {
    nlohmann::json line = {{"event", name}, {"time", rfc3339_now()}};
    for (auto& [k, v] : fields.items()) line[k] = v;
    return line;
}

Output::~Output() {
    end_bars();
}

void Output::write(std::FILE* f, const std::string& text, bool stamp) {
    std::lock_guard lock(m_mutex);
    if (m_bars) m_bars->clear();
    if (stamp && m_options.timestamps) {
        std::string prefix = rfc3339_now() + " ", out;
        std::size_t start = 0;
        while (start < text.size()) {
            std::size_t end = text.find('\n', start);
            end = end == std::string::npos ? text.size() : end + 1;
            out += prefix + text.substr(start, end - start);
            start = end;
        }
        std::fputs(out.c_str(), f);
    } else {
        std::fputs(text.c_str(), f);
    }
    std::fflush(f);
    if (m_bars) m_bars->redraw();
}

void Output::event(const std::string& name, nlohmann::json fields) {
    if (!json()) return;
    event_line(event_object(name, fields));
}

void Output::event_line(const nlohmann::json& line) {
    std::lock_guard lock(m_mutex);
    if (!json()) return;
    write(m_out, line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", false);
}

std::string Output::shown(const std::string& text) const {
    // Messages carry remote text (container logs, hook output, host errors): under GitHub
    // Actions a line of it must not become a workflow command.
    return m_options.github ? github::neutralize_commands(text) : text;
}

void Output::result(const std::string& text) {
    std::lock_guard lock(m_mutex);
    if (json()) return;
    write(m_out, shown(text), false);
}

void Output::info(const std::string& text) {
    std::lock_guard lock(m_mutex);
    if (m_options.verbosity < 0) return;
    write(m_err, shown(text + "\n"), true);
}

void Output::verbose(const std::string& text) {
    std::lock_guard lock(m_mutex);
    if (m_options.verbosity < 1) return;
    write(m_err, shown(text + "\n"), true);
}

void Output::warning(const std::string& text) {
    std::lock_guard lock(m_mutex);
    if (m_options.verbosity < 0) return;
    if (m_options.github) return write(m_err, github::annotation(github::Level::warning, text), false);
    write(m_err, yellow("warning: ") + text + "\n", true);
}

void Output::error(const std::string& text) {
    std::lock_guard lock(m_mutex);
    if (m_options.github) return write(m_err, github::annotation(github::Level::error, text), false);
    write(m_err, red("error: ") + text + "\n", true);
}

void Output::begin_phase(const std::string& name) {
    std::lock_guard lock(m_mutex);
    end_phase();
    m_phase = name;
    m_phase_start = std::chrono::steady_clock::now();
    event("phase", {{"phase", name}, {"status", "started"}});
    if (m_options.verbosity < 0) return;
    if (m_options.github)
        write(m_err, github::group(name), false);
    else if (!json())
        write(m_err, bold("==> " + name) + "\n", true);
}

void Output::end_phase(bool failed) {
    std::lock_guard lock(m_mutex);
    if (m_phase.empty()) return;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                    m_phase_start);
    event("phase",
          {{"phase", m_phase}, {"status", failed ? "failed" : "finished"}, {"duration_ms", ms.count()}});
    m_phase.clear();
    if (m_options.github && m_options.verbosity >= 0) write(m_err, github::endgroup(), false);
}

void Output::mask(const Secret& secret) {
    std::lock_guard lock(m_mutex);
    if (!m_options.github || secret.empty()) return;
    write(m_err, github::add_mask(secret.reveal()), false);
}

void Output::annotate(bool is_error, const std::string& message, const std::string& file, int line,
                      int column) {
    std::lock_guard lock(m_mutex);
    if (!m_options.github) return;
    write(m_err,
          github::annotation(is_error ? github::Level::error : github::Level::warning, message, file, line,
                             column),
          false);
}

void Output::with_bars(const std::function<void(ProgressBars&)>& draw) {
    std::lock_guard lock(m_mutex);
    if (!m_options.progress) return;
    if (!m_bars) m_bars = std::make_unique<ProgressBars>(m_err, m_options.color);
    draw(*m_bars);
}

void Output::end_bars() {
    std::lock_guard lock(m_mutex);
    m_bars.reset();
}

std::string Output::paint(const char* code, const std::string& text) const {
    if (!m_options.color) return text;
    return std::string("\033[") + code + "m" + text + "\033[0m";
}
std::string Output::bold(const std::string& t) const {
    return paint("1", t);
}
std::string Output::red(const std::string& t) const {
    return paint("31", t);
}
std::string Output::yellow(const std::string& t) const {
    return paint("33", t);
}
std::string Output::green(const std::string& t) const {
    return paint("32", t);
}

}  // namespace hoist::report
