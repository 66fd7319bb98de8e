// Authentication against the fleet's real sshd (OpenSSH 9.2: RSA only with rsa-sha2-256/512).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "fleet_fixture.hpp"
#include "ssh/error.hpp"

namespace hoist::ssh::itest {

namespace {

class Auth : public FleetTest {
protected:
    std::string whoami(const Endpoint& ep, ConnectOptions o) {
        Connector c(std::move(o));
        auto conn = c.connect(Target{ep.host, ep, {}});
        auto r = conn->exec("id -un", {});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }
    std::string auth_error(const Endpoint& ep, ConnectOptions o) {
        Connector c(std::move(o));
        try {
            c.connect(Target{ep.host, ep, {}});
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::auth) << e.what();
            return e.what();
        }
        ADD_FAILURE() << "authentication unexpectedly succeeded";
        return "";
    }
};

/// A real ssh-agent on a private socket, killed at the end.
struct Agent {
    std::string sock;
    pid_t pid = -1;
    explicit Agent(const std::string& dir) {
        sock = dir + "/agent.sock";
        pid = ::fork();
        if (pid == 0) {
            std::freopen("/dev/null", "w", stdout);
            ::execlp("ssh-agent", "ssh-agent", "-D", "-a", sock.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        for (int i = 0; i < 100 && ::access(sock.c_str(), F_OK) != 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ~Agent() {
        ::kill(pid, SIGTERM);
        ::waitpid(pid, nullptr, 0);
    }
};

}  // namespace

TEST_F(Auth, Ed25519KeyFile) { EXPECT_EQ(whoami(endpoint(f().hosts[0], f().key_ed25519), options()), f().user + "\n"); }

TEST_F(Auth, EcdsaKeyFile) { EXPECT_EQ(whoami(endpoint(f().hosts[0], f().key_ecdsa), options()), f().user + "\n"); }

TEST_F(Auth, RsaKeyFileSignsWithSha2) {
    // OpenSSH 9.2 refuses ssh-rsa (SHA-1) signatures: this passes only with rsa-sha2-256/512
    EXPECT_EQ(whoami(endpoint(f().hosts[1], f().key_rsa), options()), f().user + "\n");
}

TEST_F(Auth, AgentIdentities) {
    std::string dir = temp_dir();
    Agent agent(dir);
    sh("SSH_AUTH_SOCK=" + agent.sock + " ssh-add -q " + f().key_rsa + " " + f().key_ecdsa);
    setenv("SSH_AUTH_SOCK", agent.sock.c_str(), 1);
    Endpoint ep = endpoint(f().hosts[0]);
    ep.use_agent = true;
    ep.identity_files = {dir + "/no-such-key"};
    ep.files_optional = true;
    EXPECT_EQ(whoami(ep, options()), f().user + "\n");
    unsetenv("SSH_AUTH_SOCK");
}

TEST_F(Auth, FailureListsEveryKeyTried) {
    std::string dir = temp_dir();
    Agent agent(dir);
    sh("ssh-keygen -q -t ed25519 -N '' -C stranger -f " + dir + "/stranger && SSH_AUTH_SOCK=" + agent.sock +
       " ssh-add -q " + dir + "/stranger");
    setenv("SSH_AUTH_SOCK", agent.sock.c_str(), 1);
    Endpoint ep = endpoint(f().hosts[0], dir + "/stranger");
    ep.use_agent = true;
    ep.identity_files.push_back(dir + "/missing");
    std::string e = auth_error(ep, options());
    unsetenv("SSH_AUTH_SOCK");
    EXPECT_NE(e.find("authentication as " + f().user + " failed; tried: "), std::string::npos) << e;
    EXPECT_NE(e.find("agent key 'stranger' (refused)"), std::string::npos) << e;
    EXPECT_NE(e.find(dir + "/stranger (refused)"), std::string::npos) << e;
    EXPECT_NE(e.find(dir + "/missing (not found)"), std::string::npos) << e;
}

TEST_F(Auth, EncryptedKeyNeedsThePassphrase) {
    std::string dir = temp_dir();
    std::string key = dir + "/id_enc";
    // the fleet's authorized ed25519 key, re-encrypted with a passphrase
    sh("cp " + f().key_ed25519 + " " + key + " && chmod 600 " + key + " && ssh-keygen -q -p -P '' -N 'open sesame' -f " + key);
    std::string e = auth_error(endpoint(f().hosts[0], key), options());
    EXPECT_NE(e.find(key + " (encrypted: set HOIST_SSH_KEY_PASSPHRASE)"), std::string::npos) << e;

    auto o = options();
    o.passphrase = Secret("wrong");
    e = auth_error(endpoint(f().hosts[0], key), o);
    EXPECT_NE(e.find(key + " (wrong passphrase)"), std::string::npos) << e;

    o.passphrase = Secret("open sesame");
    EXPECT_EQ(whoami(endpoint(f().hosts[0], key), o), f().user + "\n");
}

TEST_F(Auth, EncryptedRsaKeyWithPassphrase) {
    std::string dir = temp_dir();
    std::string key = dir + "/id_rsa_enc";
    sh("cp " + f().key_rsa + " " + key + " && chmod 600 " + key + " && ssh-keygen -q -p -P '' -N pw -f " + key);
    auto o = options();
    o.passphrase = Secret("pw");
    EXPECT_EQ(whoami(endpoint(f().hosts[2], key), o), f().user + "\n");
}

}  // namespace hoist::ssh::itest
