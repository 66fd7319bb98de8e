#include "ssh/auth.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

namespace hoist::ssh {

namespace {

bool file_exists(const std::string& path) {
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0;
}

bool looks_encrypted(const std::string& path) {
    // OpenSSH format keys name their cipher in the binary header; PEM keys say "ENCRYPTED".
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find("ENCRYPTED") != std::string::npos) return true;
    return text.find("BEGIN OPENSSH PRIVATE KEY") != std::string::npos &&
           text.find("b3BlbnNzaC1rZXktdjEAAAAABG5vbmU") == std::string::npos;  // "openssh-key-v1\0....none"
}

/// RAII for the agent handle.
struct Agent {
    LIBSSH2_AGENT* a = nullptr;
    explicit Agent(LIBSSH2_SESSION* s) : a(libssh2_agent_init(s)) {}
    ~Agent() {
        if (a) {
            libssh2_agent_disconnect(a);
            libssh2_agent_free(a);
        }
    }
};

/// Tries the agent's identities; true once one is accepted. Appends to `tried`.
bool try_agent(Session& s, const AuthOptions& o, const Deadline& d, std::vector<std::string>& tried) {
    const char* sock = std::getenv("SSH_AUTH_SOCK");
    if (!sock || !*sock) return false;
    Agent agent(s.raw());
    if (!agent.a || libssh2_agent_connect(agent.a) != 0) {
        tried.push_back(std::string("agent at ") + sock + " (cannot connect)");
        return false;
    }
    if (libssh2_agent_list_identities(agent.a) != 0) {
        tried.push_back(std::string("agent at ") + sock + " (cannot list identities)");
        return false;
    }
    libssh2_agent_publickey* id = nullptr;
    libssh2_agent_publickey* prev = nullptr;
    int n = 0;
    while (libssh2_agent_get_identity(agent.a, &id, prev) == 0) {
        prev = id;
        ++n;
        std::string blob(reinterpret_cast<const char*>(id->blob), id->blob_len);
        std::string name = std::string("agent key '") + (id->comment ? id->comment : "") + "'";
        int rc = s.call(d, "agent authentication", [&] { return libssh2_agent_userauth(agent.a, o.user.c_str(), id); });
        if (rc == 0) return true;
        tried.push_back(name + " (refused)");
        if (kind_of(rc) == ErrorKind::disconnected) s.check(rc, "authentication");
    }
    if (n == 0) tried.push_back(std::string("agent at ") + sock + " (no identities)");
    return false;
}

}  // namespace

void authenticate(Session& s, const AuthOptions& o, const Deadline& d) {
    char* methods = nullptr;
    for (;;) {
        methods = libssh2_userauth_list(s.raw(), o.user.c_str(), static_cast<unsigned>(o.user.size()));
        if (methods || libssh2_userauth_authenticated(s.raw())) break;
        int e = libssh2_session_last_errno(s.raw());
        if (e != LIBSSH2_ERROR_EAGAIN) s.check(e, "listing authentication methods");
        s.wait(d, "listing authentication methods");
    }
    if (libssh2_userauth_authenticated(s.raw())) return;  // "none" was accepted
    if (!std::strstr(methods, "publickey"))
        throw Error(ErrorKind::auth, s.label() + ": the server does not accept public keys for " + o.user +
                                         " (it offers: " + methods + "); hoist authenticates with keys only");
    std::vector<std::string> tried;
    if (o.use_agent && try_agent(s, o, d, tried)) return;
    const char* pass = o.passphrase.empty() ? nullptr : o.passphrase.reveal().c_str();
    for (const auto& path : o.identity_files) {
        if (!file_exists(path)) {
            if (!o.files_optional) tried.push_back(path + " (not found)");
            continue;
        }
        int rc = s.call(d, "authentication with " + path, [&] {
            return libssh2_userauth_publickey_fromfile_ex(s.raw(), o.user.c_str(), static_cast<unsigned>(o.user.size()),
                                                          nullptr, path.c_str(), pass);
        });
        if (rc == 0) return;
        if (rc == LIBSSH2_ERROR_FILE) {
            if (looks_encrypted(path))
                tried.push_back(path + (pass ? " (wrong passphrase)" : std::string(" (encrypted: set ") +
                                                                            passphrase_env + ")"));
            else
                tried.push_back(path + " (cannot be read as a private key: " + last_error(s.raw()) + ")");
        } else if (kind_of(rc) == ErrorKind::disconnected) {
            tried.push_back(path + " (the server closed the connection: too many keys tried? see MaxAuthTries)");
            break;
        } else {
            tried.push_back(path + " (refused)");
        }
    }
    if (tried.empty()) tried.push_back("no key: no agent ($SSH_AUTH_SOCK unset) and no key file found");
    std::string list;
    for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
    throw Error(ErrorKind::auth, s.label() + ": authentication as " + o.user + " failed; tried: " + list);
}

}  // namespace hoist::ssh
