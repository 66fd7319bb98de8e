#pragma once
/// The nginx upstream file hoist owns: rendering is pure; writing it happens over SSH in the deploy engine.
#include <string>
#include <vector>

namespace hoist::lb {

/// One server line of the upstream block.
struct UpstreamServer {
    std::string address;  ///< host:port
    bool down = false;    ///< kept in the file (so the block is never empty) but receives no traffic
    bool operator==(const UpstreamServer&) const = default;
};

/// The whole file: a header comment and one `upstream NAME { ... }` block.
std::string render_nginx_upstream(const std::string& service, const std::string& upstream,
                                  const std::vector<UpstreamServer>& servers);

/// "10.0.1.11:8080, 10.0.1.12:8080 (down)" for plans and logs.
std::string describe_servers(const std::vector<UpstreamServer>& servers);

}  // namespace hoist::lb
