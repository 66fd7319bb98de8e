#pragma once
/// The subset of ~/.ssh/config hoist honours, resolved the way `ssh -G HOST` resolves it: Host
/// blocks with `*`, `?` and `!` patterns matched (case-sensitively) against the name as given; for
/// each keyword the first value found wins, except IdentityFile, which accumulates. Keywords:
/// HostName (tokens %h, %%), User, Port, IdentityFile, ProxyJump, ProxyCommand. Everything else is
/// ignored; `Match` blocks other than `Match all` and `Include` are reported as problems and skipped.
///
/// ProxyJump and ProxyCommand exclude each other as in OpenSSH 9.2 (checked against `ssh -G`): the
/// first of the two obtained wins, and `ProxyCommand none` counts as obtained (it also stops a later
/// ProxyJump), while `ProxyJump none` only stops later ProxyJump lines, not a ProxyCommand.
#include <optional>
#include <string>
#include <vector>

namespace hoist::ssh {

/// One hop of a ProxyJump chain.
struct JumpSpec {
    std::string user;  ///< empty: the hop's own config or the default user
    std::string host;
    int port = 0;      ///< 0: the hop's own config or 22
    bool operator==(const JumpSpec&) const = default;
};

/// "[user@]host[:port]" or "ssh://[user@]host[:port]"; nullopt when malformed.
std::optional<JumpSpec> parse_jump(const std::string& text);
/// "user@host:port" with the parts not given left out (how `ssh -G` prints a ProxyJump hop).
std::string to_string(const JumpSpec& jump);

/// What the config says about one host name.
struct SshConfigResult {
    std::string hostname;                     ///< HostName with %h expanded, lower case; else the name
    std::optional<std::string> user;
    std::optional<int> port;
    std::vector<std::string> identity_files;  ///< as written (tokens and ~ unexpanded), in order
    std::vector<JumpSpec> proxy_jump;         ///< empty: none (also for "ProxyJump none")
    /// The command as written (tokens unexpanded, see proxy_command.hpp); absent for none.
    std::optional<std::string> proxy_command;
};

class SshConfig {
public:
    static SshConfig parse(const std::string& text, const std::string& file = "ssh_config");
    /// Reads the file; a missing file is an empty config plus a problem (ssh would refuse it).
    static SshConfig load(const std::string& path);

    SshConfigResult resolve(const std::string& name) const;
    const std::vector<std::string>& problems() const { return m_problems; }

private:
    struct Setting {
        std::string keyword;  ///< lower case
        std::vector<std::string> args;
        std::string raw;  ///< the rest of the line as written: ProxyCommand is handed to a shell whole
        int line = 0;
    };
    struct Block {
        std::vector<std::string> patterns;  ///< empty with `all`: the lines before any Host
        bool all = false;
        bool never = false;                 ///< an unsupported Match
        std::vector<Setting> settings;
    };
    std::vector<Block> m_blocks;
    std::vector<std::string> m_problems;
};

/// Expands ~ and the tokens %d (home), %u (local user), %h (remote host), %r (remote user), %% in an
/// IdentityFile path, as ssh does when it loads the key.
std::string expand_identity_path(const std::string& path, const std::string& host, const std::string& remote_user);

/// ~ and ~/... to the home directory ($HOME, else the passwd entry).
std::string expand_tilde(const std::string& path);

}  // namespace hoist::ssh
