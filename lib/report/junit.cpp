#include "report/junit.hpp"

#include "util/text.hpp"
#include "util/json_fields.hpp"

#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

namespace hoist::report {

namespace {

struct Case {
    std::string classname, name;
    std::int64_t ms = 0;
    bool failed = false;
    std::string type, message;
    std::string text;  ///< the failure's body; empty: the message
};

std::int64_t num(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

std::string seconds(std::int64_t ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms < 0 ? 0 : ms) / 1000);
    return buf;
}

std::string dashed(std::string host) {
    for (char& c : host)
        if (c == '.') c = '-';
    return host;
}

bool host_failed(const nlohmann::json& h) {
    static const std::set<std::string> fine = {"succeeded", "updated", "unchanged", "rolled_back"};
    return !text_at(h, "error").empty() || !fine.count(text_at(h, "result"));
}

std::vector<Case> cases_of(const nlohmann::json& s) {
    std::string service = text_at(s, "service");
    std::string command = text_at(s, "command").empty() ? "run" : text_at(s, "command");
    std::string base = "hoist" + (service.empty() ? "" : "." + dashed(service));
    std::vector<Case> cases;
    if (auto ph = s.find("phases"); ph != s.end() && ph->is_object())
        for (const char* p : {"build", "push"})
            if (auto ms = num(*ph, (std::string(p) + "_ms").c_str()); ms > 0)
                cases.push_back({base, p, ms, false, "", "", ""});

    if (auto hosts = s.find("hosts"); hosts != s.end() && hosts->is_array())
        for (const auto& h : *hosts) {
            std::string cls = base + "." + dashed(text_at(h, "host"));
            bool failed = host_failed(h);
            std::string why = text_at(h, "error").empty() ? "host " + text_at(h, "result") : text_at(h, "error");
            auto steps = h.find("steps");
            if (steps == h.end() || !steps->is_array() || steps->empty()) {
                cases.push_back(
                    {cls, command, num(h, "duration_ms"), failed, text_at(h, "result"), failed ? why : "", ""});
                continue;
            }
            std::map<std::string, int> seen;  // the same action twice on a host: "health check (2)"
            bool any_step_failed = false;
            for (const auto& st : *steps) {
                std::string name = text_at(st, "action");
                if (int n = ++seen[name]; n > 1) name += " (" + std::to_string(n) + ")";
                auto ok = st.find("ok");
                bool step_failed = ok != st.end() && ok->is_boolean() && !ok->get<bool>();
                any_step_failed = any_step_failed || step_failed;
                std::string msg = text_at(st, "error").empty() ? why : text_at(st, "error");
                cases.push_back(
                    {cls, name, num(st, "duration_ms"), step_failed, "step", step_failed ? msg : "", ""});
            }
            // a host that failed without a failed step (e.g. it timed out between steps) still shows red
            if (failed && !any_step_failed)
                cases.push_back({cls, command, num(h, "duration_ms"), true, text_at(h, "result"), why, ""});
        }

    bool any_failed = false;
    for (const auto& c : cases) any_failed = any_failed || c.failed;
    std::string result = text_at(s, "result");
    if (result != "succeeded" && !any_failed) {
        std::string msg =
            text_at(s, "error").empty() ? command + " " + (result.empty() ? "failed" : result) : text_at(s, "error");
        std::string text = msg;
        if (auto p = s.find("problems"); p != s.end() && p->is_array())
            for (const auto& line : *p)
                if (line.is_string()) text += "\n" + line.get<std::string>();
        cases.push_back(
            {base, command, num(s, "duration_ms"), true, result.empty() ? "failed" : result, msg, text});
    } else if (cases.empty()) {
        cases.push_back({base, command, num(s, "duration_ms"), false, "", "", ""});
    }
    return cases;
}

}  // namespace

std::string render_junit(const nlohmann::json& s) {
    auto cases = cases_of(s);
    std::size_t failures = 0;
    for (const auto& c : cases) failures += c.failed;
    std::string counts = " tests=\"" + std::to_string(cases.size()) + "\" failures=\"" +
                         std::to_string(failures) + "\" errors=\"0\"";
    std::string time = " time=\"" + seconds(num(s, "duration_ms")) + "\"";
    std::string suite = "hoist " + (text_at(s, "command").empty() ? std::string("run") : text_at(s, "command")) +
                        (text_at(s, "service").empty() ? "" : " " + text_at(s, "service"));
    std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x += "<testsuites name=\"hoist\"" + counts + time + ">\n";
    x += "  <testsuite name=\"" + xml_escape(suite) + "\"" + counts + " skipped=\"0\"" + time + ">\n";
    for (const auto& c : cases) {
        x += "    <testcase classname=\"" + xml_escape(c.classname) + "\" name=\"" + xml_escape(c.name) +
             "\" time=\"" + seconds(c.ms) + "\"";
        if (!c.failed) {
            x += "/>\n";
            continue;
        }
        x += ">\n      <failure message=\"" + xml_escape(c.message) + "\" type=\"" + xml_escape(c.type) +
             "\">" + xml_escape(c.text.empty() ? c.message : c.text) + "</failure>\n    </testcase>\n";
    }
    x += "  </testsuite>\n</testsuites>\n";
    return x;
}

}  // namespace hoist::report
