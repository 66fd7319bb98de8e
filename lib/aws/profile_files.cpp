#include "aws/profile_files.hpp"

#include <fstream>
#include <sstream>

#include "util/strings.hpp"

namespace hoist::aws {

ProfileFile parse_profile_file(const std::string& text, bool config_file) {
    ProfileFile out;
    ProfileSection* current = nullptr;
    bool nested = false;  // inside an indented block under "key ="
    std::istringstream in(text);
    std::string raw;
    while (std::getline(in, raw)) {
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();
        std::string line = trim(raw);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            nested = false;
            current = nullptr;
            auto close = line.find(']');
            if (close == std::string::npos) continue;  // malformed header: its keys belong to no profile
            std::string name = trim(line.substr(1, close - 1));
            if (config_file) {
                if (starts_with(name, "profile ") || starts_with(name, "profile\t"))
                    name = trim(name.substr(8));
                else if (name != "default")
                    continue;
            }
            if (!name.empty()) current = &out[name];
            continue;
        }
        bool indented = raw[0] == ' ' || raw[0] == '\t';
        if (indented && nested) continue;
        auto eq = line.find('=');
        if (eq == std::string::npos || !current) continue;
        std::string key = to_lower(trim(line.substr(0, eq)));
        std::string value = trim(line.substr(eq + 1));
        nested = value.empty();
        if (!nested && !key.empty()) (*current)[key] = value;
    }
    return out;
}

ProfileFile read_profile_file(const std::string& path, bool config_file, bool* found) {
    std::ifstream in(path);
    if (found) *found = static_cast<bool>(in);
    if (!in) return {};
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_profile_file(ss.str(), config_file);
}

}  // namespace hoist::aws
