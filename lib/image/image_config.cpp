#include "image/image_config.hpp"

#include <ctime>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::image {

using nlohmann::json;

namespace {
bool all_strings(const json& j) {
    if (!j.is_array()) return false;
    for (const auto& e : j)
        if (!e.is_string()) return false;
    return true;
}
}  // namespace

ImageConfig ImageConfig::scratch(const oci::Platform& platform) {
    ImageConfig c;
    c.m_doc = {{"architecture", platform.architecture}, {"os", platform.os}, {"config", json::object()},
               {"rootfs", {{"type", "layers"}, {"diff_ids", json::array()}}}, {"history", json::array()}};
    if (!platform.variant.empty()) c.m_doc["variant"] = platform.variant;
    return c;
}

ImageConfig ImageConfig::parse(const std::string& bytes, const std::string& where) {
    ImageConfig c;
    c.m_doc = json::parse(bytes, nullptr, false);
    if (c.m_doc.is_discarded() || !c.m_doc.is_object())
        throw Error(ExitCode::build_push, where + ": the image config is not a JSON object");
    if (!c.m_doc.contains("rootfs") || !c.m_doc["rootfs"].is_object())
        c.m_doc["rootfs"] = {{"type", "layers"}, {"diff_ids", json::array()}};
    json& diff_ids = c.m_doc["rootfs"]["diff_ids"];
    if (diff_ids.is_null()) diff_ids = json::array();
    if (!all_strings(diff_ids)) throw Error(ExitCode::build_push, where + ": rootfs.diff_ids is not a list of strings");
    if (c.m_doc.contains("config") && c.m_doc["config"].is_object()) {
        const json& run = c.m_doc["config"];
        if (run.contains("Env") && !run["Env"].is_null() && !all_strings(run["Env"]))
            throw Error(ExitCode::build_push, where + ": config.Env is not a list of strings");
    }
    if (!c.m_doc.contains("history") || !c.m_doc["history"].is_array()) c.m_doc["history"] = json::array();
    return c;
}

json& ImageConfig::run() {
    if (!m_doc.contains("config") || !m_doc["config"].is_object()) m_doc["config"] = json::object();
    return m_doc["config"];
}

void ImageConfig::set_env(const std::string& key, const std::string& value) {
    json& env = run()["Env"];
    if (!env.is_array()) env = json::array();
    std::string entry = key + "=" + value;
    for (auto& e : env) {
        std::string s = e.get<std::string>();
        if (s.substr(0, s.find('=')) == key) {
            e = entry;
            return;
        }
    }
    env.push_back(entry);
}

Vars ImageConfig::env() const {
    Vars v;
    auto run = m_doc.find("config");
    if (run == m_doc.end() || !run->is_object()) return v;
    auto list = run->find("Env");
    if (list == run->end() || !all_strings(*list)) return v;
    for (auto& e : *list) {
        std::string s = e.get<std::string>();
        auto eq = s.find('=');
        v[s.substr(0, eq)] = eq == std::string::npos ? "" : s.substr(eq + 1);
    }
    return v;
}

void ImageConfig::ensure_path() {
    if (env().count("PATH")) return;
    std::string p = default_path_env;
    set_env("PATH", p.substr(5));
}

void ImageConfig::add_layer(const oci::Digest& diff_id) { m_doc["rootfs"]["diff_ids"].push_back(diff_id.str()); }

std::vector<std::string> ImageConfig::diff_ids() const {
    std::vector<std::string> out;
    // parse() and scratch() guarantee rootfs.diff_ids is a list of strings
    for (auto& d : m_doc.at("rootfs").at("diff_ids")) out.push_back(d.get<std::string>());
    return out;
}

void ImageConfig::add_history(const std::string& created_by, bool empty_layer, const std::string& created) {
    json h = {{"created", created}, {"created_by", created_by}, {"comment", "hoist"}};
    if (empty_layer) h["empty_layer"] = true;
    m_doc["history"].push_back(h);
}

std::string ImageConfig::serialize(const std::string& created) {
    m_doc["created"] = created;
    return m_doc.dump();
}

std::string rfc3339_utc(std::int64_t seconds) {
    std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::optional<std::int64_t> parse_go_duration(const std::string& s) {
    if (s.empty()) return std::nullopt;
    if (s == "0") return 0;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t start = i;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
        if (start == i) return std::nullopt;
        double value = std::stod(s.substr(start, i - start));
        std::size_t ustart = i;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
        std::string unit = s.substr(ustart, i - ustart);
        double mul;
        if (unit == "ns") mul = 1;
        else if (unit == "us" || unit == "µs") mul = 1e3;
        else if (unit == "ms") mul = 1e6;
        else if (unit == "s") mul = 1e9;
        else if (unit == "m") mul = 60e9;
        else if (unit == "h") mul = 3600e9;
        else return std::nullopt;
        total += static_cast<std::int64_t>(value * mul);
    }
    return total;
}

}  // namespace hoist::image
