// known_hosts parsing and matching. The hashed lines below were made by `ssh-keygen -H` (OpenSSH
// 9.2) from "example.com <ed25519>" and "[example.com]:2222 <ecdsa>", so they test against
// OpenSSH's own hashing, not against our idea of it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

#include "ssh/crypto.hpp"
#include "ssh/known_hosts.hpp"

using namespace hoist::ssh;
using hoist::base64_decode;
using hoist::base64_encode;

namespace {
const std::string ed = "AAAAC3NzaC1lZDI1NTE5AAAAIHdHNkQNyh1YU5WUtdZAfK4MSCS7O/mk83S/jM0vnmUP";
const std::string ec =
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBP7vQOaW4Va8lbAhgUZzKRF4KbHQFJT9EA3XE9JGikED/m9daWwxc0RJAP2Kpe"
    "Zs9lQMEB7ohbW7LHnV8D6RG2Y=";
std::string blob(const std::string& b64) { return *base64_decode(b64); }
const std::string hashed =
    "|1|TpRMQ4ScntEuMCMnf+BzXgzBzGg=|oVQWSnwaLiP2qIOqarkhlrMPgmY= ssh-ed25519 " + ed + "\n" +
    "|1|BNOuYsAOCsOcBOnyKgkrsKFLbFQ=|xAs9BAO8ZSvpjbNwlqcQwtCHDWo= ecdsa-sha2-nistp256 " + ec + "\n";
}  // namespace

TEST(KnownHosts, LookupNameUsesBracketsOnlyForOtherPorts) {
    EXPECT_EQ(KnownHosts::lookup_name("Example.COM", 22), "example.com");
    EXPECT_EQ(KnownHosts::lookup_name("10.0.0.1", 2222), "[10.0.0.1]:2222");
}

TEST(KnownHosts, HashedEntryMatchesOpenSshHmac) {
    auto kh = KnownHosts::parse(hashed);
    ASSERT_EQ(kh.entries().size(), 2u);
    EXPECT_TRUE(kh.problems().empty());
    EXPECT_EQ(kh.check("example.com", 22, blob(ed)).status, HostKeyStatus::trusted);
    EXPECT_EQ(kh.check("EXAMPLE.com", 22, blob(ed)).status, HostKeyStatus::trusted);
    EXPECT_EQ(kh.check("example.org", 22, blob(ed)).status, HostKeyStatus::unknown);
    EXPECT_TRUE(kh.any_hashed());
}

TEST(KnownHosts, HashedEntryWithPort) {
    auto kh = KnownHosts::parse(hashed);
    EXPECT_EQ(kh.check("example.com", 2222, blob(ec)).status, HostKeyStatus::trusted);
    // the ecdsa key is filed for port 2222 only; at port 22 the host's known key is the ed25519 one
    auto m = kh.check("example.com", 22, blob(ec));
    EXPECT_EQ(m.status, HostKeyStatus::changed);
    EXPECT_EQ(m.lines, std::vector<int>{1});
    EXPECT_EQ(kh.check("example.com", 2200, blob(ec)).status, HostKeyStatus::unknown);
}

TEST(KnownHosts, PlainPatternsWildcardsAndNegation) {
    auto kh = KnownHosts::parse("# comment\n\n10.0.1.*,!10.0.1.9,web ssh-ed25519 " + ed + " c\n");
    EXPECT_EQ(kh.check("10.0.1.5", 22, blob(ed)).status, HostKeyStatus::trusted);
    EXPECT_EQ(kh.check("web", 22, blob(ed)).status, HostKeyStatus::trusted);
    EXPECT_EQ(kh.check("10.0.1.9", 22, blob(ed)).status, HostKeyStatus::unknown);
    EXPECT_EQ(kh.check("10.0.2.5", 22, blob(ed)).status, HostKeyStatus::unknown);
}

TEST(KnownHosts, BracketedPortEntry) {
    auto kh = KnownHosts::parse("[10.0.0.1]:2222 ssh-ed25519 " + ed + "\n");
    EXPECT_EQ(kh.check("10.0.0.1", 2222, blob(ed)).status, HostKeyStatus::trusted);
    EXPECT_EQ(kh.check("10.0.0.1", 22, blob(ed)).status, HostKeyStatus::unknown);
}

TEST(KnownHosts, ChangedKeyListsTheLinesHoldingTheOldOnes) {
    auto kh = KnownHosts::parse("a ssh-ed25519 " + ed + "\nb ssh-ed25519 " + ed + "\na ecdsa-sha2-nistp256 " + ec + "\n");
    auto m = kh.check("a", 22, blob(ec));
    EXPECT_EQ(m.status, HostKeyStatus::trusted);
    std::string other = blob(ed);
    other[other.size() - 1] ^= 1;
    m = kh.check("a", 22, other);
    EXPECT_EQ(m.status, HostKeyStatus::changed);
    EXPECT_EQ(m.lines, (std::vector<int>{1, 3}));
}

TEST(KnownHosts, RevokedKeyIsRefusedEvenWhenAlsoListed) {
    auto kh = KnownHosts::parse("@revoked * ssh-ed25519 " + ed + "\nh ssh-ed25519 " + ed + "\n");
    EXPECT_EQ(kh.check("h", 22, blob(ed)).status, HostKeyStatus::revoked);
}

TEST(KnownHosts, MalformedLinesAreReportedAndSkipped) {
    auto kh = KnownHosts::parse("h ssh-ed25519\nh ssh-ed25519 !!!notbase64\nh ssh-rsa " + ed + "\nh ssh-ed25519 " + ed + "\n",
                                "kh");
    EXPECT_EQ(kh.entries().size(), 1u);
    ASSERT_EQ(kh.problems().size(), 3u);
    EXPECT_EQ(kh.problems()[0], "kh:1: not a known_hosts line, ignored");
    EXPECT_EQ(kh.problems()[2], "kh:3: key does not decode as ssh-rsa, ignored");
}

TEST(KnownHosts, KeyTypesForHostInFileOrder) {
    auto kh = KnownHosts::parse("h ecdsa-sha2-nistp256 " + ec + "\nx ssh-ed25519 " + ed + "\nh ssh-ed25519 " + ed +
                                "\nh ecdsa-sha2-nistp256 " + ec + "\n");
    EXPECT_EQ(kh.key_types_for("h", 22), (std::vector<std::string>{"ecdsa-sha2-nistp256", "ssh-ed25519"}));
    EXPECT_TRUE(kh.key_types_for("y", 22).empty());
}

TEST(KnownHosts, MadeLinesParseBackPlainAndHashed) {
    for (bool h : {false, true}) {
        std::string line = KnownHosts::make_line("10.1.2.3", 2200, "ssh-ed25519", blob(ed), h);
        EXPECT_EQ(line.rfind(h ? "|1|" : "[10.1.2.3]:2200 ", 0), 0u) << line;
        auto kh = KnownHosts::parse(line + "\n");
        EXPECT_EQ(kh.check("10.1.2.3", 2200, blob(ed)).status, HostKeyStatus::trusted);
        EXPECT_EQ(kh.check("10.1.2.4", 2200, blob(ed)).status, HostKeyStatus::unknown);
    }
}

TEST(KnownHosts, MissingFileTrustsNothing) {
    auto kh = KnownHosts::load("/nonexistent/dir/known_hosts");
    EXPECT_TRUE(kh.entries().empty());
    EXPECT_EQ(kh.check("h", 22, blob(ed)).status, HostKeyStatus::unknown);
}

TEST(KnownHosts, ConcurrentAppendsNeverCorruptOrDuplicate) {
    auto dir = std::filesystem::temp_directory_path() / ("hoist-kh-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::string path = (dir / "sub" / "known_hosts").string();  // the directory is created too
    {
        std::filesystem::create_directories(dir);
    }
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i)
        threads.emplace_back([&, i] {
            std::string host = "10.0.0." + std::to_string(i % 8);  // each host twice: second is a no-op
            append_known_host(path, KnownHosts::make_line(host, 22, "ssh-ed25519", blob(ed), false), host, 22, blob(ed));
        });
    for (auto& t : threads) t.join();
    auto kh = KnownHosts::load(path);
    EXPECT_TRUE(kh.problems().empty());
    EXPECT_EQ(kh.entries().size(), 8u);
    for (int i = 0; i < 8; ++i)
        EXPECT_EQ(kh.check("10.0.0." + std::to_string(i), 22, blob(ed)).status, HostKeyStatus::trusted);
    EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::filesystem::remove_all(dir);
}

TEST(KnownHosts, AppendAddsMissingFinalNewline) {
    auto path = std::filesystem::temp_directory_path() / ("hoist-kh2-" + std::to_string(::getpid()));
    { std::ofstream(path) << "a ssh-ed25519 " << ed; }  // no final newline
    append_known_host(path.string(), KnownHosts::make_line("b", 22, "ssh-ed25519", blob(ed), false), "b", 22, blob(ed));
    auto kh = KnownHosts::load(path.string());
    EXPECT_EQ(kh.entries().size(), 2u);
    EXPECT_TRUE(kh.problems().empty());
    std::filesystem::remove(path);
}

TEST(Crypto, FingerprintsMatchSshKeygen) {
    // `ssh-keygen -lf` of the two keys above
    EXPECT_EQ(fingerprint(blob(ed)), "SHA256:21AFgk07xrYumSvqxotGh/FLU9mlb7kiGE71VSKbmvM");
    EXPECT_EQ(fingerprint(blob(ec)), "SHA256:+E6oFK+Hrh2iSKHoVGmZNuNzjtR2BKMuxNixJqtCtas");
}

TEST(Crypto, KeyTypeOfBlobAndBase64) {
    EXPECT_EQ(key_type_of_blob(blob(ed)), "ssh-ed25519");
    EXPECT_EQ(key_type_of_blob(blob(ec)), "ecdsa-sha2-nistp256");
    EXPECT_EQ(key_type_of_blob("xx"), "");
    EXPECT_EQ(base64_encode(blob(ed)), ed);
    EXPECT_EQ(base64_encode("ab"), "YWI=");
    EXPECT_EQ(*base64_decode("YWI"), "ab");
    EXPECT_FALSE(base64_decode("a*b").has_value());
}

// OpenSSH skips a line with an unknown marker; hoist took `@REVOKED` (or a typo of @revoked)
// for an ordinary line and trusted the very key it was meant to revoke.
TEST(KnownHosts, UnknownMarkersMakeTheLineIgnoredNotTrusted) {
    for (std::string marker : {"@REVOKED", "@revokd", "@", "@cert_authority"}) {
        auto kh = KnownHosts::parse(marker + " h ssh-ed25519 " + ed + "\n", "kh");
        EXPECT_EQ(kh.check("h", 22, blob(ed)).status, HostKeyStatus::unknown) << marker;
        ASSERT_EQ(kh.problems().size(), 1u) << marker;
        EXPECT_EQ(kh.problems()[0], "kh:1: unknown marker " + marker + ", line ignored");
    }
}

// A host vouched for by a certificate authority: its plain key is unknown, and the match says
// which CA lines name it, so accept-new does not pin a key the CA never signed.
TEST(KnownHosts, CertAuthorityLinesAreReportedForTheHost) {
    auto kh = KnownHosts::parse("# ca\n@cert-authority *.example ssh-ed25519 " + ed + "\n");
    auto m = kh.check("web.example", 22, blob(ed));
    EXPECT_EQ(m.status, HostKeyStatus::unknown);
    EXPECT_EQ(m.ca_lines, std::vector<int>{2});
    EXPECT_TRUE(kh.check("other.test", 22, blob(ed)).ca_lines.empty());
}

TEST(KnownHosts, SharedLoadParsesOnceAndSeesAppendsAndReplacements) {
    auto path = std::filesystem::temp_directory_path() / ("hoist-kh3-" + std::to_string(::getpid()));
    { std::ofstream(path) << "a ssh-ed25519 " << ed << "\n"; }
    auto first = KnownHosts::load_shared(path.string());
    EXPECT_EQ(first, KnownHosts::load_shared(path.string()));  // unchanged file: the same parse
    EXPECT_EQ(first->check("b", 22, blob(ed)).status, HostKeyStatus::unknown);
    // accept-new appends: the next look sees the new line
    append_known_host(path.string(), KnownHosts::make_line("b", 22, "ssh-ed25519", blob(ed), false), "b", 22, blob(ed));
    auto second = KnownHosts::load_shared(path.string());
    EXPECT_NE(first, second);
    EXPECT_EQ(second->check("b", 22, blob(ed)).status, HostKeyStatus::trusted);
    EXPECT_EQ(first->check("b", 22, blob(ed)).status, HostKeyStatus::unknown);  // a parse never changes
    // a replaced file (new inode, same size) is read again: b's key is now another
    auto tmp = path.string() + ".new";
    { std::ofstream(tmp) << "a ssh-ed25519 " << ed << "\nb ecdsa-sha2-nistp256 " << ec << "\n"; }
    std::filesystem::rename(tmp, path);
    EXPECT_EQ(KnownHosts::load_shared(path.string())->check("b", 22, blob(ed)).status, HostKeyStatus::changed);
    std::filesystem::remove(path);
    EXPECT_TRUE(KnownHosts::load_shared(path.string())->entries().empty());  // gone: trusts nothing
}
