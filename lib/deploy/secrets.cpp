#include "deploy/secrets.hpp"

#include <cstdlib>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

std::map<std::string, Secret> secret_values(const std::vector<std::string>& names, const std::string& where) {
    std::map<std::string, Secret> out;
    std::vector<std::string> missing;
    for (const auto& name : names) {
        const char* v = std::getenv(name.c_str());
        if (!v) missing.push_back(name);
        else if (std::string_view(v).find('\n') != std::string_view::npos)
            throw usage_error(where + ": " + name + " holds a newline, which an env file cannot carry; nothing was done");
        else out.emplace(name, Secret(v));
    }
    if (!missing.empty())
        throw usage_error(where + " names " + join(missing, ", ") + (missing.size() == 1 ? ", which is" : ", which are") +
                          " not set in hoist's environment; nothing was done");
    return out;
}

std::string secret_env_file(const std::vector<std::string>& names, const std::map<std::string, Secret>& values) {
    std::string text;
    for (const auto& name : names) text += name + "=" + values.at(name).reveal() + "\n";
    return text;
}

}  // namespace hoist::deploy
