// The CA bundle fallback for libcurl builds whose compiled-in bundle path is not where this
// distribution keeps its CAs (the portable tarball's Debian libcurl on RHEL, Alpine...).
#include <gtest/gtest.h>

#include <set>

#include "util/ca_bundle.hpp"

using namespace hoist;

namespace {
auto files(std::set<std::string> present) {
    return [present](const std::string& p) { return present.count(p) > 0; };
}
const std::string debian = "/etc/ssl/certs/ca-certificates.crt";
}  // namespace

TEST(CaBundle, LibcurlsOwnDefaultIsLeftAloneWhenItExists) {
    EXPECT_EQ(pick_ca_bundle("", debian, files({debian, "/etc/pki/tls/certs/ca-bundle.crt"})), "");
}

TEST(CaBundle, RhelAndAlpineBundlesAreFoundWhenTheDefaultIsMissing) {
    EXPECT_EQ(pick_ca_bundle("", debian, files({"/etc/pki/tls/certs/ca-bundle.crt"})), "/etc/pki/tls/certs/ca-bundle.crt");
    EXPECT_EQ(pick_ca_bundle("", debian, files({"/etc/ssl/cert.pem"})), "/etc/ssl/cert.pem");
    EXPECT_EQ(pick_ca_bundle("", "", files({"/etc/ssl/ca-bundle.pem"})), "/etc/ssl/ca-bundle.pem");
}

TEST(CaBundle, SslCertFileWinsAndNothingFoundLeavesLibcurlToSaySo) {
    EXPECT_EQ(pick_ca_bundle("/corp/ca.pem", debian, files({debian})), "/corp/ca.pem");
    EXPECT_EQ(pick_ca_bundle("", debian, files({})), "");
}
