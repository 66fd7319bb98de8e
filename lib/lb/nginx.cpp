#include "lb/nginx.hpp"

namespace hoist::lb {

std::string render_nginx_upstream(const std::string& service, const std::string& upstream,
                                  const std::vector<UpstreamServer>& servers) {
    std::string out = "# Managed by hoist for service '" + service + "'. Rewritten on every deploy: do not edit.\n";
    out += "upstream " + upstream + " {\n";
    for (const auto& s : servers) out += "    server " + s.address + (s.down ? " down;\n" : ";\n");
    out += "}\n";
    return out;
}

std::string describe_servers(const std::vector<UpstreamServer>& servers) {
    std::string out;
    for (std::size_t i = 0; i < servers.size(); ++i) {
        if (i) out += ", ";
        out += servers[i].address;
        if (servers[i].down) out += " (down)";
    }
    return out;
}

}  // namespace hoist::lb
