#include "image/dockerfile.hpp"

#include <cctype>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::image {
namespace {

std::string rtrim(std::string_view s) {
    std::size_t n = s.size();
    while (n > 0 && std::isspace(static_cast<unsigned char>(s[n - 1]))) --n;
    return std::string(s.substr(0, n));
}
std::string ltrim(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return std::string(s.substr(i));
}

[[noreturn]] void fail_line(const std::string& name, int line, const std::string& message) {
    throw Error(ExitCode::build_push, name + ":" + std::to_string(line) + ": " + message);
}

std::vector<std::string> physical_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t nl = text.find('\n', start);
        std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.emplace_back(line);
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    return lines;
}

/// Instructions whose arguments may be a JSON array (the exec form).
bool json_capable(const std::string& kw) {
    static const std::set<std::string> k = {"CMD", "ENTRYPOINT", "RUN", "SHELL", "COPY", "ADD", "VOLUME"};
    return k.count(kw) > 0;
}

/// No real instruction comes near this; the cap bounds what each later pass over a line costs.
constexpr std::size_t max_instruction_bytes = 1 << 20;

bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

void split_flags(Instruction& ins) {
    std::string_view rest = ins.args;  // advanced in place: linear in the line, however many flags
    while (starts_with(rest, "--")) {
        std::size_t end = 0;
        while (end < rest.size() && !space(rest[end])) ++end;
        std::string word(rest.substr(2, end - 2));
        if (word.empty()) break;  // a bare "--" is an argument
        auto eq = word.find('=');
        if (eq == std::string::npos)
            ins.flags.emplace_back(word, "");
        else
            ins.flags.emplace_back(word.substr(0, eq), word.substr(eq + 1));
        rest.remove_prefix(end);
        while (!rest.empty() && space(rest.front())) rest.remove_prefix(1);
    }
    ins.args = std::string(rest);
}

/// A parser directive line, `#` [ws] key [ws] `=` [ws] value [ws], as (key, value); nullopt for
/// any other line. The key is [A-Za-z][A-Za-z0-9_-]*.
std::optional<std::pair<std::string, std::string>> parse_directive(std::string_view line) {
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < line.size() && space(line[i])) ++i;
    };
    if (line.empty() || line[0] != '#') return std::nullopt;
    ++i;
    skip_space();
    std::size_t key = i;
    if (i >= line.size() || !std::isalpha(static_cast<unsigned char>(line[i]))) return std::nullopt;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_' || line[i] == '-')) ++i;
    std::string k(line.substr(key, i - key));
    skip_space();
    if (i >= line.size() || line[i] != '=') return std::nullopt;
    ++i;
    skip_space();
    return std::make_pair(k, rtrim(line.substr(i)));
}

/// Whether `args` holds a heredoc opener: `<<` [`-`] [ws] [quote] then a letter or `_`.
bool has_heredoc(std::string_view args) {
    for (std::size_t at = args.find("<<"); at != std::string_view::npos; at = args.find("<<", at + 1)) {
        std::size_t i = at + 2;
        if (i < args.size() && args[i] == '-') ++i;
        while (i < args.size() && space(args[i])) ++i;
        if (i < args.size() && (args[i] == '"' || args[i] == '\'')) ++i;
        if (i < args.size() && (std::isalpha(static_cast<unsigned char>(args[i])) || args[i] == '_')) return true;
    }
    return false;
}

void detect_json(Instruction& ins) {
    if (!json_capable(ins.keyword) || !starts_with(ins.args, "[")) return;
    auto j = nlohmann::json::parse(ins.args, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return;  // not JSON: the shell form, as Docker does
    std::vector<std::string> out;
    for (auto& e : j) {
        if (!e.is_string()) return;
        out.push_back(e.get<std::string>());
    }
    ins.json = true;
    ins.json_args = std::move(out);
}

}  // namespace

const std::string* Instruction::flag(std::string_view name) const {
    for (auto& [k, v] : flags)
        if (k == name) return &v;
    return nullptr;
}

void fail_at(const Dockerfile& df, const Instruction& ins, const std::string& message) {
    fail_line(df.name, ins.line, message);
}

Dockerfile parse_dockerfile(std::string_view text, const std::string& name) {
    Dockerfile df;
    df.name = name;
    auto lines = physical_lines(text);
    std::size_t i = 0;

    // Parser directives: only before anything else; an unknown one ends the directive block.
    std::set<std::string> seen;
    for (; i < lines.size(); ++i) {
        auto d = parse_directive(lines[i]);
        if (!d) break;
        std::string key = to_lower(d->first);
        if (key != "syntax" && key != "escape" && key != "check") break;
        if (!seen.insert(key).second) fail_line(name, int(i) + 1, "only one " + key + " parser directive can be used");
        if (key == "escape") {
            std::string v = d->second;
            if (v != "\\" && v != "`") fail_line(name, int(i) + 1, "invalid escape token '" + v + "' does not match ` or \\");
            df.escape = v[0];
        } else if (key == "syntax") {
            df.syntax = d->second;
        }
    }

    const std::string continuation(1, df.escape);
    while (i < lines.size()) {
        std::string line = ltrim(lines[i]);
        int start_line = int(i) + 1;
        ++i;
        if (line.empty() || line[0] == '#') continue;
        std::string logical;
        std::string piece = rtrim(line);
        while (ends_with(piece, continuation)) {
            piece.pop_back();
            logical += piece;
            // Comment and empty lines inside a continuation are dropped (Docker does the same).
            while (i < lines.size()) {
                std::string next = ltrim(lines[i]);
                if (next.empty() || next[0] == '#') {
                    ++i;
                    continue;
                }
                break;
            }
            if (i >= lines.size()) {
                piece.clear();
                break;
            }
            piece = rtrim(lines[i++]);
        }
        logical += piece;
        if (logical.size() > max_instruction_bytes)
            fail_line(name, start_line, "instruction of " + std::to_string(logical.size()) + " bytes; at most " +
                                            std::to_string(max_instruction_bytes) + " are accepted");
        logical = trim(logical);
        if (logical.empty()) continue;

        Instruction ins;
        ins.line = start_line;
        ins.original = logical;
        std::size_t sp = 0;
        while (sp < logical.size() && !std::isspace(static_cast<unsigned char>(logical[sp]))) ++sp;
        ins.keyword = logical.substr(0, sp);
        // a line that starts with other whitespace (\v, \f) than trim() removes has no keyword
        if (ins.keyword.empty()) fail_line(name, start_line, "unknown instruction: " + trim(logical));
        for (auto& c : ins.keyword) c = char(std::toupper(static_cast<unsigned char>(c)));
        for (char c : ins.keyword)
            if (!std::isalpha(static_cast<unsigned char>(c)))
                fail_line(name, start_line, "unknown instruction: " + logical.substr(0, sp));
        ins.args = ltrim(std::string_view(logical).substr(sp));
        split_flags(ins);
        if ((ins.keyword == "RUN" || ins.keyword == "COPY" || ins.keyword == "ADD") && has_heredoc(ins.args))
            fail_line(name, start_line, "heredocs (<<) are not supported by hoist's native builder; use `builder: docker`");
        detect_json(ins);
        df.instructions.push_back(std::move(ins));
    }
    return df;
}

}  // namespace hoist::image
