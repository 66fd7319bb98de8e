// Host key policies against the fleet's real sshd host keys (ed25519, ecdsa, rsa per host).
#include <unistd.h>

#include <sstream>
#include <thread>

#include "fleet_fixture.hpp"
#include "ssh/known_hosts.hpp"

namespace hoist::ssh::itest {

using ssh::HostKeyChecking;

namespace {

class HostKeys : public FleetTest {
protected:
    /// The fleet's known_hosts lines for one address (all three key types).
    std::string lines_for(const std::string& address, const std::string& type = "") {
        std::string out;
        std::istringstream in(read_file(f().known_hosts));
        std::string line;
        while (std::getline(in, line))
            if (line.rfind(address + " ", 0) == 0 && (type.empty() || line.find(" " + type + " ") != std::string::npos))
                out += line + "\n";
        return out;
    }
    /// Connects and runs `true`; returns the error text, or "" on success.
    std::string try_connect(const std::string& address, const ConnectOptions& o, int port = 22) {
        Endpoint ep = endpoint(address);
        ep.port = port;
        try {
            Connector c(o);
            auto conn = c.connect(Target{address, ep, {}});
            EXPECT_EQ(conn->exec("true", {}).exit_code, 0);
            return "";
        } catch (const Error& e) {
            return std::string(to_string(e.kind())) + ": " + e.what();
        }
    }
    std::string host_fp(const std::string& node, const std::string& type) {
        std::istringstream out(sh("ssh-keygen -lf " + f().dir + "/" + node + "/ssh/ssh_host_" + type + "_key.pub"));
        std::string bits, fp;
        out >> bits >> fp;  // "256 SHA256:... comment (ED25519)"
        return fp;
    }
};

}  // namespace

TEST_F(HostKeys, StrictAcceptsAKnownKey) { EXPECT_EQ(try_connect(f().hosts[0], options()), ""); }

TEST_F(HostKeys, StrictRefusesUnknownWithFingerprintAndLineToAdd) {
    std::string kh = temp_dir() + "/known_hosts";
    write_file(kh, lines_for(f().hosts[1]));  // other hosts only
    std::string e = try_connect(f().hosts[0], options(HostKeyChecking::strict, kh));
    EXPECT_EQ(e.rfind("host_key: ", 0), 0u) << e;
    EXPECT_NE(e.find("host key not trusted"), std::string::npos) << e;
    // with nothing trusted the server's preferred ed25519 key is presented
    EXPECT_NE(e.find(host_fp("h1", "ed25519")), std::string::npos) << e;
    std::string pub = read_file(f().dir + "/h1/ssh/ssh_host_ed25519_key.pub");
    std::string line = f().hosts[0] + " " + pub.substr(0, pub.rfind(' '));
    EXPECT_NE(e.find("\n  " + line), std::string::npos) << e << "\nexpected line: " << line;
    EXPECT_EQ(read_file(kh), lines_for(f().hosts[1]));  // strict never writes
}

TEST_F(HostKeys, MissingKnownHostsFileIsNotTrusted) {
    std::string e = try_connect(f().hosts[0], options(HostKeyChecking::strict, temp_dir() + "/absent/known_hosts"));
    EXPECT_NE(e.find("host key not trusted"), std::string::npos) << e;
}

TEST_F(HostKeys, PreferenceFollowsTheTrustedKeyType) {
    for (std::string type : {"ssh-rsa", "ecdsa-sha2-nistp256", "ssh-ed25519"}) {
        std::string kh = temp_dir() + "/known_hosts";
        write_file(kh, lines_for(f().hosts[0], type));
        EXPECT_EQ(try_connect(f().hosts[0], options(HostKeyChecking::strict, kh)), "") << type;
    }
}

TEST_F(HostKeys, StrictAndAcceptNewRefuseAChangedKey) {
    std::string kh = temp_dir() + "/known_hosts";
    // h2's keys filed under h1's address: to hoist, h1 now presents a different key
    std::string wrong = lines_for(f().hosts[1]);
    for (std::size_t p; (p = wrong.find(f().hosts[1] + " ")) != std::string::npos;)
        wrong.replace(p, f().hosts[1].size(), f().hosts[0]);
    write_file(kh, wrong);
    for (auto mode : {HostKeyChecking::strict, HostKeyChecking::accept_new}) {
        std::string e = try_connect(f().hosts[0], options(mode, kh));
        EXPECT_NE(e.find("HOST KEY CHANGED"), std::string::npos) << e;
        EXPECT_NE(e.find("ssh-keygen -R '" + f().hosts[0] + "'"), std::string::npos) << e;
    }
    EXPECT_EQ(read_file(kh), wrong);  // accept-new did not touch the file
}

TEST_F(HostKeys, AcceptNewAppendsThenStrictTrusts) {
    std::string kh = temp_dir() + "/known_hosts";
    write_file(kh, "# mine\n" + lines_for(f().hosts[1]));
    EXPECT_EQ(try_connect(f().hosts[0], options(HostKeyChecking::accept_new, kh)), "");
    ASSERT_EQ(m_warnings.size(), 1u);
    EXPECT_NE(m_warnings[0].find("new host key accepted"), std::string::npos) << m_warnings[0];
    auto parsed = KnownHosts::load(kh);
    EXPECT_TRUE(parsed.problems().empty());
    EXPECT_EQ(parsed.entries().size(), 4u);
    EXPECT_EQ(try_connect(f().hosts[0], options(HostKeyChecking::strict, kh)), "");
    // and OpenSSH agrees with what was written
    sh("ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" + kh +
       " -o GlobalKnownHostsFile=/dev/null -i " + f().key_ed25519 + " " + f().user + "@" + f().hosts[0] + " true");
}

// A @cert-authority line says the host's keys are vouched for by certificates. hoist cannot
// verify those, and accept-new used to pin whatever plain key the host (or an impostor) showed.
TEST_F(HostKeys, AcceptNewDoesNotPinAKeyWhereACertificateAuthorityIsTrusted) {
    std::string kh = temp_dir() + "/known_hosts";
    // any key serves as the CA's for this test: the host presents no certificate signed by it
    std::string ca_key = lines_for(f().hosts[1]).substr(lines_for(f().hosts[1]).find(' ') + 1);
    std::string content = "@cert-authority " + f().hosts[0] + " " + ca_key.substr(0, ca_key.find('\n')) + "\n";
    write_file(kh, content);
    std::string e = try_connect(f().hosts[0], options(HostKeyChecking::accept_new, kh));
    EXPECT_NE(e.find("trusts a @cert-authority for " + f().hosts[0]), std::string::npos) << e;
    EXPECT_EQ(read_file(kh), content);  // nothing pinned
}

TEST_F(HostKeys, AcceptNewManyHostsAtOnceKeepsTheFileWhole) {
    std::string kh = temp_dir() + "/known_hosts";
    std::vector<std::thread> threads;
    std::vector<std::string> errors(f().hosts.size());
    for (std::size_t i = 0; i < f().hosts.size(); ++i)
        threads.emplace_back([&, i] { errors[i] = try_connect(f().hosts[i], options(HostKeyChecking::accept_new, kh)); });
    for (auto& t : threads) t.join();
    for (auto& e : errors) EXPECT_EQ(e, "");
    auto parsed = KnownHosts::load(kh);
    EXPECT_TRUE(parsed.problems().empty());
    EXPECT_EQ(parsed.entries().size(), f().hosts.size());
}

TEST_F(HostKeys, OffWarnsOnEveryConnection) {
    std::string kh = temp_dir() + "/known_hosts";
    write_file(kh, "");
    EXPECT_EQ(try_connect(f().hosts[0], options(HostKeyChecking::off, kh)), "");
    EXPECT_EQ(try_connect(f().hosts[0], options(HostKeyChecking::off, kh)), "");
    ASSERT_EQ(m_warnings.size(), 2u);
    EXPECT_NE(m_warnings[1].find("host key NOT verified"), std::string::npos);
    EXPECT_EQ(read_file(kh), "");
}

TEST_F(HostKeys, HashedKnownHosts) {
    std::string kh = temp_dir() + "/known_hosts";
    write_file(kh, read_file(f().known_hosts));
    sh("ssh-keygen -q -H -f " + kh + " >/dev/null 2>&1; rm -f " + kh + ".old");
    ASSERT_EQ(read_file(kh).find(f().hosts[0]), std::string::npos) << "not hashed";
    EXPECT_EQ(try_connect(f().hosts[0], options(HostKeyChecking::strict, kh)), "");
    // accept-new keeps a hashed file hashed
    std::string kh2 = temp_dir() + "/known_hosts";
    write_file(kh2, lines_for(f().hosts[1]));
    sh("ssh-keygen -q -H -f " + kh2 + " >/dev/null 2>&1");
    EXPECT_EQ(try_connect(f().hosts[0], options(HostKeyChecking::accept_new, kh2)), "");
    EXPECT_EQ(read_file(kh2).find(f().hosts[0]), std::string::npos);
    EXPECT_EQ(try_connect(f().hosts[0], options(HostKeyChecking::strict, kh2)), "");
}

TEST_F(HostKeys, BracketedPortEntries) {
    // a local forwarder gives h1's sshd another port: it is then known as [127.0.0.1]:PORT
    int port = 20000 + ::getpid() % 20000;
    std::string dir = temp_dir();
    sh("socat TCP-LISTEN:" + std::to_string(port) + ",bind=127.0.0.1,fork,reuseaddr TCP:" + f().hosts[0] +
       ":22 >/dev/null 2>&1 & echo $! > " + dir + "/socat.pid; sleep 0.3");
    std::string keys = lines_for(f().hosts[0]);
    std::string plain, bracketed;
    std::istringstream in(keys);
    for (std::string line; std::getline(in, line);) {
        std::string rest = line.substr(line.find(' '));
        plain += "127.0.0.1" + rest + "\n";
        bracketed += "[127.0.0.1]:" + std::to_string(port) + rest + "\n";
    }
    std::string kh = dir + "/known_hosts";
    write_file(kh, plain);
    std::string e = try_connect("127.0.0.1", options(HostKeyChecking::strict, kh), port);
    EXPECT_NE(e.find("no entry for [127.0.0.1]:" + std::to_string(port)), std::string::npos) << e;
    write_file(kh, bracketed);
    EXPECT_EQ(try_connect("127.0.0.1", options(HostKeyChecking::strict, kh), port), "");
    sh("kill $(cat " + dir + "/socat.pid)");
}

}  // namespace hoist::ssh::itest
