// ProxyCommand's %-tokens: pure string functions, apart from proxy_command.cpp so that the ssh_config
// parser (and its fuzz target) need neither libssh2 nor process code.
#include <optional>
#include <string>

#include "ssh/proxy_command.hpp"

namespace hoist::ssh {

namespace {
bool known_token(char c) { return c == 'h' || c == 'p' || c == 'r' || c == 'n' || c == '%'; }
}  // namespace

std::optional<std::string> unknown_proxy_token(const std::string& command) {
    for (std::size_t i = 0; i < command.size(); ++i) {
        if (command[i] != '%') continue;
        if (i + 1 == command.size()) return std::string("%");
        if (!known_token(command[i + 1])) return command.substr(i, 2);
        ++i;
    }
    return std::nullopt;
}

std::string expand_proxy_command(const std::string& command, const ProxyTokens& t) {
    std::string out;
    for (std::size_t i = 0; i < command.size(); ++i) {
        if (command[i] != '%' || i + 1 == command.size() || !known_token(command[i + 1])) {
            out += command[i];
            continue;
        }
        switch (command[++i]) {
            case 'h': out += t.host; break;
            case 'p': out += std::to_string(t.port); break;
            case 'r': out += t.user; break;
            case 'n': out += t.alias; break;
            default: out += '%'; break;
        }
    }
    return out;
}

}  // namespace hoist::ssh
