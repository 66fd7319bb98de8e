#include "report/output.hpp"

#include <chrono>
#include <ctime>

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

void Output::event(const std::string& name, nlohmann::json fields) {
    if (!json()) return;
    nlohmann::json line = {{"event", name}, {"time", rfc3339_now()}};
    for (auto& [k, v] : fields.items()) line[k] = v;
    std::fputs((line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(), m_out);
    std::fflush(m_out);
}

void Output::result(const std::string& text) {
    if (json()) return;
    std::fputs(text.c_str(), m_out);
    std::fflush(m_out);
}

void Output::info(const std::string& text) {
    if (m_options.verbosity < 0) return;
    std::fputs((text + "\n").c_str(), m_err);
}

void Output::verbose(const std::string& text) {
    if (m_options.verbosity < 1) return;
    std::fputs((text + "\n").c_str(), m_err);
}

void Output::warning(const std::string& text) { std::fputs((yellow("warning: ") + text + "\n").c_str(), m_err); }

void Output::error(const std::string& text) { std::fputs((red("error: ") + text + "\n").c_str(), m_err); }

std::string Output::paint(const char* code, const std::string& text) const {
    if (!m_options.color) return text;
    return std::string("\033[") + code + "m" + text + "\033[0m";
}
std::string Output::bold(const std::string& t) const { return paint("1", t); }
std::string Output::red(const std::string& t) const { return paint("31", t); }
std::string Output::yellow(const std::string& t) const { return paint("33", t); }
std::string Output::green(const std::string& t) const { return paint("32", t); }

}  // namespace hoist::report
