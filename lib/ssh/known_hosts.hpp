#pragma once
/// OpenSSH's known_hosts file: plain and hashed (`|1|salt|hmac`) host fields, `[host]:port` for
/// ports other than 22, wildcard and negated patterns, the @revoked and @cert-authority markers
/// (any other marker makes the line ignored, as OpenSSH does). A missing file is an
/// empty one: nothing is trusted (never a crash, never "trust everything").
#include <memory>
#include <string>
#include <vector>

namespace hoist::ssh {

/// One key line of the file.
struct KnownHostEntry {
    int line = 0;             ///< 1-based
    std::string marker;       ///< "", "@revoked" or "@cert-authority"
    std::string hosts;        ///< the host field as written
    std::string key_type;     ///< "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", ...
    std::string key_blob;     ///< decoded public key
};

enum class HostKeyStatus {
    trusted,  ///< a line for this host holds exactly this key
    unknown,  ///< no line names this host
    changed,  ///< lines name this host, none with this key: possible man in the middle
    revoked,  ///< the key is marked @revoked
};

struct HostKeyMatch {
    HostKeyStatus status = HostKeyStatus::unknown;
    std::vector<int> lines;  ///< for `changed`: the lines holding the host's other keys
    /// @cert-authority lines naming the host: its keys are vouched for by certificates, which
    /// hoist (libssh2) cannot verify, so an `unknown` plain key must not be pinned by accept-new.
    std::vector<int> ca_lines;
};

class KnownHosts {
public:
    /// Parses file content; malformed lines are skipped and listed in `problems()`.
    static KnownHosts parse(const std::string& text, const std::string& file = "known_hosts");
    /// Reads the file; a missing file gives an empty set. Throws on other read errors.
    static KnownHosts load(const std::string& path);
    /// `load`, parsed once per version of the file: every host of a fan-out checks its key against
    /// the same file, and parsing it per host (twice: key types, then the check) cost a fifth of
    /// hoist's CPU at 100 hosts. The cache is keyed by path and the file's identity (device, inode,
    /// size, modification time in ns), so an append (accept-new) or a replaced file is read again.
    /// Thread-safe; the result is immutable.
    static std::shared_ptr<const KnownHosts> load_shared(const std::string& path);

    /// The name a host is filed under: "host" for port 22, "[host]:port" otherwise.
    static std::string lookup_name(const std::string& host, int port);
    /// Whether a host field (plain pattern list or one hashed entry) names `name`.
    static bool field_matches(const std::string& hosts_field, const std::string& name);
    /// A line to add for this key, hashed (with a fresh salt) or plain.
    static std::string make_line(const std::string& host, int port, const std::string& key_type,
                                 const std::string& key_blob, bool hashed);

    HostKeyMatch check(const std::string& host, int port, const std::string& key_blob) const;
    /// The key types already trusted for the host, in file order, without duplicates.
    std::vector<std::string> key_types_for(const std::string& host, int port) const;
    /// Whether any entry is hashed (new entries are then hashed too, to keep the file's style).
    bool any_hashed() const;

    const std::vector<KnownHostEntry>& entries() const { return m_entries; }
    const std::vector<std::string>& problems() const { return m_problems; }

private:
    std::vector<KnownHostEntry> m_entries;
    std::vector<std::string> m_problems;
};

/// Appends one line to a known_hosts file without ever leaving it half-written: under an exclusive
/// flock, one write(2) of the whole line (with a leading newline when the file lacks a final one),
/// then fsync. Concurrent hoist runs and threads cannot interleave. Creates the file (0600) and its
/// directory (0700) when missing. Re-checks under the lock whether host:port already has `key_blob`,
/// so that two threads or runs accepting the same key do not add it twice.
void append_known_host(const std::string& path, const std::string& line, const std::string& host, int port,
                       const std::string& key_blob);

}  // namespace hoist::ssh
