#pragma once
/// Which CA bundle verifies registries' TLS certificates when libcurl's own default is not there.
///
/// libcurl has one bundle path compiled in. Debian's libcurl (in the .deb's dependencies and in the
/// portable tarball) looks for /etc/ssl/certs/ca-certificates.crt; RHEL, Amazon Linux, Fedora, SUSE
/// and Alpine keep theirs elsewhere, and every HTTPS push would fail there with "error setting
/// certificate file". So hoist looks where those distributions put it (the list Go's crypto/x509
/// uses), and honours SSL_CERT_FILE (OpenSSL's variable) first, as a corporate CA needs.
#include <functional>
#include <string>
#include <vector>

namespace hoist {

/// Where the bundles of the common distributions are, most common first.
const std::vector<std::string>& known_ca_bundles();

/// The bundle to give libcurl, or "" to leave libcurl's default alone: `ssl_cert_file` when set,
/// else nothing when `compiled_default` exists, else the first of known_ca_bundles() that exists.
std::string pick_ca_bundle(const std::string& ssl_cert_file, const std::string& compiled_default,
                           const std::function<bool(const std::string&)>& exists);

}  // namespace hoist
