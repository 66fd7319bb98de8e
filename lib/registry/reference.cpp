#include "registry/reference.hpp"

#include "oci/digest.hpp"
#include "util/error.hpp"
#include "util/names.hpp"
#include "util/strings.hpp"

namespace hoist::registry {

Reference Reference::parse(const std::string& input, const std::string& default_tag) {
    std::string s = trim(input);
    if (s.empty()) throw usage_error("empty image reference");
    Reference r;
    if (auto at = s.find('@'); at != std::string::npos) {
        r.digest = s.substr(at + 1);
        if (!oci::Digest::parse(r.digest)) throw usage_error("image reference '" + input + "': malformed digest");
        s = s.substr(0, at);
    }
    auto slash = s.find('/');
    std::string first = slash == std::string::npos ? "" : s.substr(0, slash);
    if (!first.empty() && (first.find('.') != std::string::npos || first.find(':') != std::string::npos ||
                           first == "localhost" || first.front() == '[')) {
        r.registry = first;
        s = s.substr(slash + 1);
    } else {
        r.registry = "docker.io";
    }
    auto colon = s.rfind(':');
    if (colon != std::string::npos) {
        r.tag = s.substr(colon + 1);
        s = s.substr(0, colon);
        if (!valid_tag(r.tag)) throw usage_error("image reference '" + input + "': invalid tag '" + r.tag + "'");
    } else if (r.digest.empty()) {
        r.tag = default_tag;
    }
    if (r.registry == "docker.io" && s.find('/') == std::string::npos) s = "library/" + s;
    if (!valid_repository(s))
        throw usage_error("image reference '" + input + "': invalid repository name '" + s + "'");
    r.repository = s;
    return r;
}

std::string Reference::api_host() const {
    if (registry == "docker.io" || registry == "index.docker.io") return "registry-1.docker.io";
    return registry;
}

std::string Reference::str() const {
    std::string s = registry + "/" + repository;
    if (!tag.empty()) s += ":" + tag;
    if (!digest.empty()) s += "@" + digest;
    return s;
}

}  // namespace hoist::registry
