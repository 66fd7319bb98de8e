#include "remote/shell.hpp"

namespace hoist::remote {

std::string quote(const std::string& word) {
    if (word.empty()) return "''";
    bool safe = true;
    for (char c : word) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  std::string_view("@%+=:,./-_").find(c) != std::string_view::npos;
        if (!ok) {
            safe = false;
            break;
        }
    }
    if (safe) return word;
    std::string out = "'";
    for (char c : word) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    out += "'";
    return out;
}

std::string Command::render() const {
    std::string out;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        if (i) out += ' ';
        out += quote(argv[i]);
    }
    return out;
}

std::string render_all(const std::vector<Command>& commands) {
    std::string out;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        if (i) out += " && ";
        out += commands[i].render();
    }
    return out;
}

}  // namespace hoist::remote
