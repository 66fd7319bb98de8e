#include "report/github.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string_view>

#include "report/units.hpp"
#include "util/json_fields.hpp"

namespace hoist::report::github {

bool enabled() {
    const char* v = std::getenv("GITHUB_ACTIONS");
    return v && std::string(v) == "true";
}

namespace {

std::string escape(const std::string& text, bool property) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '%':
                out += "%25";
                break;
            case '\r':
                out += "%0D";
                break;
            case '\n':
                out += "%0A";
                break;
            case ':':
                out += property ? "%3A" : ":";
                break;
            case ',':
                out += property ? "%2C" : ",";
                break;
            default:
                out += c;
        }
    }
    return out;
}

/// The runner (ActionCommand.TryParse) trims leading whitespace, Unicode included, and looks for
/// `::` or `##[` at the start. Anything short of a letter or digit before them is treated as
/// whitespace here, which errs on the safe side for spaces the runner knows and we do not.
bool looks_like_command(std::string_view line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        auto c = static_cast<unsigned char>(line[i]);
        if (line.substr(i, 2) == "::" || line.substr(i, 3) == "##[") return true;
        if (std::isalnum(c)) return false;
    }
    return false;
}

std::string random_token() {
    std::random_device rd;
    char buf[33];
    std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
    return std::string("hoist-") + buf;
}

}  // namespace

std::string neutralize_commands(const std::string& text, const std::string& token) {
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        std::size_t next = end == std::string::npos ? text.size() : end + 1;
        std::string_view line(text.data() + start, (end == std::string::npos ? text.size() : end) - start);
        if (looks_like_command(line)) {
            std::string t = token.empty() ? random_token() : token;
            out += "::stop-commands::" + t + "\n";
            out += line;
            out += "\n::" + t + "::";
            out += end == std::string::npos ? "" : "\n";
        } else {
            out.append(text, start, next - start);
        }
        start = next;
    }
    return out;
}

namespace {

/// Markdown that remote text could use to look like something hoist wrote: links and images
/// (`[..](..)`, `![..](..)`; autolinks need `<`, escaped as HTML), emphasis, code, entities.
/// `_` is left alone: inside words (rolled_back) it is never emphasis.
bool markdown_special(char c) {
    switch (c) {
        case '\\': case '`': case '*': case '[': case ']': case '!': case '~': case '&':
            return true;
        default:
            return false;
    }
}

}  // namespace

std::string escape_data(const std::string& text) {
    return escape(text, false);
}
std::string escape_property(const std::string& text) {
    return escape(text, true);
}

std::string group(const std::string& name) {
    return "::group::" + escape_data(name) + "\n";
}
std::string endgroup() {
    return "::endgroup::\n";
}

std::string annotation(Level level, const std::string& message, const std::string& file, int line,
                       int column) {
    std::string cmd = level == Level::error ? "error" : level == Level::warning ? "warning" : "notice";
    std::string props;
    auto add = [&props](const std::string& k, const std::string& v) {
        props += (props.empty() ? " " : ",") + k + "=" + v;
    };
    if (!file.empty()) add("file", escape_property(file));
    if (line > 0) add("line", std::to_string(line));
    if (column > 0) add("col", std::to_string(column));
    return "::" + cmd + props + "::" + escape_data(message) + "\n";
}

std::string add_mask(const std::string& value) {
    std::string out;
    std::size_t start = 0;
    while (start <= value.size()) {
        std::size_t end = value.find('\n', start);
        if (end == std::string::npos) end = value.size();
        std::string line = value.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) out += "::add-mask::" + escape_data(line) + "\n";
        start = end + 1;
    }
    return out;
}

std::string workspace_relative(const std::string& path, const std::string& workspace) {
    namespace fs = std::filesystem;
    if (workspace.empty() || path.empty()) return path;
    std::error_code ec;
    fs::path abs = fs::weakly_canonical(fs::absolute(path, ec), ec);
    fs::path ws = fs::weakly_canonical(fs::path(workspace), ec);
    if (ec) return path;
    fs::path rel = abs.lexically_relative(ws);
    if (rel.empty() || *rel.begin() == "..") return path;
    return rel.generic_string();
}

namespace {

/// A value safe inside a Markdown table cell.
std::string cell(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '|':
                out += "\\|";
                break;
            case '\n':
                out += "<br>";
                break;
            case '\r':
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                if (markdown_special(c)) out += '\\';
                out += c;
        }
    }
    return out;
}

std::int64_t num(const nlohmann::json& j, const char* key, std::int64_t fallback = -1) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<std::int64_t>() : fallback;
}

std::string icon(const std::string& result) {
    if (result == "succeeded" || result == "updated") return "✅";
    if (result == "unchanged") return "➖";
    if (result == "rolled_back") return "↩️";
    return "❌";
}

/// A code span: its content is shown literally (no links, no HTML), so only what could end it
/// early is handled: a fence longer than any backtick run inside, `|` (tables split on it even
/// in code), line breaks.
std::string code(const std::string& v) {
    if (v.empty()) return "–";
    std::string body;
    std::size_t run = 0, longest = 0;
    for (char c : v) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
        if (c == '|') body += "\\|";
        else if (c == '\n' || c == '\r') body += ' ';
        else body += c;
    }
    std::string fence(longest + 1, '`');
    bool pad = body.front() == '`' || body.back() == '`';
    return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

}  // namespace

std::string render_step_summary(const nlohmann::json& s) {
    std::string result = text_at(s, "result");
    std::string command = text_at(s, "command");
    std::string service = text_at(s, "service");
    std::string md = "### " + icon(result) + " hoist" + (command.empty() ? "" : " " + cell(command)) +
                     (service.empty() ? "" : " " + cell(service)) + ": " +
                     cell(result.empty() ? "unknown" : result);
    if (auto ec = num(s, "exit_code"); ec > 0) md += " (exit code " + std::to_string(ec) + ")";
    md += "\n\n";

    std::string facts;
    auto fact = [&facts](const std::string& f) { facts += (facts.empty() ? "" : " · ") + f; };
    if (auto image = text_at(s, "image"); !image.empty()) fact("**image** " + code(image));
    if (auto tag = text_at(s, "tag"); !tag.empty())
        fact("**tag** " + code(tag) +
             (text_at(s, "previous_tag").empty() ? "" : " (previous " + code(text_at(s, "previous_tag")) + ")"));
    if (auto strategy = text_at(s, "strategy"); !strategy.empty()) fact("**strategy** " + cell(strategy));
    if (auto d = num(s, "duration_ms"); d >= 0) {
        std::string t = "**time** " + human_duration_ms(d);
        std::string parts;
        if (auto ph = s.find("phases"); ph != s.end() && ph->is_object())
            for (const char* p : {"build", "push", "rollout"})
                if (auto ms = num(*ph, (std::string(p) + "_ms").c_str(), 0); ms > 0)
                    parts += (parts.empty() ? "" : ", ") + std::string(p) + " " + human_duration_ms(ms);
        fact(t + (parts.empty() ? "" : " (" + parts + ")"));
    }
    if (!facts.empty()) md += facts + "\n\n";
    if (auto err = text_at(s, "error"); !err.empty()) md += "> **Error:** " + cell(err) + "\n\n";
    if (auto p = s.find("problems"); p != s.end() && p->is_array() && !p->empty()) {
        for (const auto& line : *p)
            if (line.is_string()) md += "- " + code(line.get<std::string>()) + "\n";
        md += "\n";
    }

    auto hosts = s.find("hosts");
    if (hosts == s.end() || !hosts->is_array() || hosts->empty()) return md;
    md += "| Host | Version | Result | Time |\n| --- | --- | --- | --- |\n";
    std::map<std::string, int> totals;
    for (const auto& h : *hosts) {
        std::string r = text_at(h, "result");
        ++totals[r.empty() ? "unknown" : r];
        std::string version = text_at(h, "version");
        std::string before = text_at(h, "previous_version");
        if (before.empty() && r == "updated") before = text_at(s, "previous_tag");
        std::string v =
            !before.empty() && before != version ? code(before) + " → " + code(version) : code(version);
        std::string what = icon(r) + " " + cell(r);
        if (auto err = text_at(h, "error"); !err.empty()) what += ": " + cell(err);
        auto d = num(h, "duration_ms");
        md += "| " + cell(text_at(h, "host")) + " | " + v + " | " + what + " | " +
              (d >= 0 ? human_duration_ms(d) : "–") + " |\n";
    }
    std::string t;
    for (const auto& [r, n] : totals) t += (t.empty() ? "" : ", ") + std::to_string(n) + " " + cell(r);
    md += "\n**" + std::to_string(hosts->size()) + (hosts->size() == 1 ? " host" : " hosts") + ":** " + t +
          "\n\n";
    return md;
}

}  // namespace hoist::report::github
