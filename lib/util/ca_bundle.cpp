#include "util/ca_bundle.hpp"

namespace hoist {

const std::vector<std::string>& known_ca_bundles() {
    static const std::vector<std::string> paths = {
        "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Gentoo, Arch
        "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL, Amazon Linux
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 7+, CentOS
        "/etc/ssl/ca-bundle.pem",                             // openSUSE, SLES
        "/etc/ssl/cert.pem",                                  // Alpine, macOS
        "/etc/pki/tls/cacert.pem",                            // OpenELEC
    };
    return paths;
}

std::string pick_ca_bundle(const std::string& ssl_cert_file, const std::string& compiled_default,
                           const std::function<bool(const std::string&)>& exists) {
    if (!ssl_cert_file.empty()) return ssl_cert_file;
    if (!compiled_default.empty() && exists(compiled_default)) return "";
    for (const auto& p : known_ca_bundles())
        if (exists(p)) return p;
    return "";  // nothing anywhere: libcurl's own error names its default path
}

}  // namespace hoist
