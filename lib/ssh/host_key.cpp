#include "ssh/host_key.hpp"

#include "ssh/crypto.hpp"
#include "ssh/known_hosts.hpp"

namespace hoist::ssh {


void prefer_known_types(Session& session, const std::string& host, int port, const HostKeyPolicy& policy) {
    std::vector<std::string> types;
    try {
        types = KnownHosts::load_shared(policy.known_hosts)->key_types_for(host, port);
    } catch (const Error&) {
        // unreadable file: verify_host_key reports it; the preference is only an optimisation
    }
    session.prefer_host_key_types(types);
}

void verify_host_key(Session& session, const std::string& host, int port, const HostKeyPolicy& policy,
                     const Warn& warn) {
    std::string blob = session.host_key_blob();
    std::string type = key_type_of_blob(blob);
    std::string fp = fingerprint(blob);
    std::string where = session.label();
    if (policy.checking == HostKeyChecking::off) {
        if (warn)
            warn(where + ": host key NOT verified (ssh.host_key_checking: off): " + type + " " + fp +
                 ". Anyone on the network path can impersonate this host; use strict or accept-new.");
        return;
    }
    std::shared_ptr<const KnownHosts> known = KnownHosts::load_shared(policy.known_hosts);
    const KnownHosts& kh = *known;
    HostKeyMatch m = kh.check(host, port, blob);
    std::string line = KnownHosts::make_line(host, port, type, blob, false);
    switch (m.status) {
        case HostKeyStatus::trusted:
            return;
        case HostKeyStatus::revoked:
            throw Error(ErrorKind::host_key, where + ": the host presented " + type + " key " + fp +
                                                 ", which " + policy.known_hosts + ":" + std::to_string(m.lines[0]) +
                                                 " marks as @revoked; refusing to connect");
        case HostKeyStatus::changed: {
            std::string lines;
            for (int l : m.lines) lines += (lines.empty() ? "" : ", ") + std::to_string(l);
            throw Error(ErrorKind::host_key,
                        where + ": HOST KEY CHANGED. The host presented " + type + " key " + fp + ", but " +
                            policy.known_hosts + " holds other keys for " + KnownHosts::lookup_name(host, port) +
                            " (line " + lines + "). Someone may be intercepting the connection, or the host was "
                            "rebuilt. Refusing to connect. If the new key is genuine, remove the old lines "
                            "(ssh-keygen -R '" + KnownHosts::lookup_name(host, port) + "' -f " +
                            policy.known_hosts + ") and add:\n  " + line);
        }
        case HostKeyStatus::unknown:
            break;
    }
    if (!m.ca_lines.empty()) {
        std::string lines;
        for (int l : m.ca_lines) lines += (lines.empty() ? "" : ", ") + std::to_string(l);
        throw Error(ErrorKind::host_key,
                    where + ": " + policy.known_hosts + " (line " + lines + ") trusts a @cert-authority for " +
                        KnownHosts::lookup_name(host, port) + ", but hoist verifies plain host keys only, not host "
                        "certificates; refusing to trust the presented " + type + " key " + fp +
                        " on first use. After checking that fingerprint out of band, add this line to " +
                        policy.known_hosts + ":\n  " + line);
    }
    if (policy.checking == HostKeyChecking::strict)
        throw Error(ErrorKind::host_key,
                    where + ": host key not trusted: " + policy.known_hosts + " has no entry for " +
                        KnownHosts::lookup_name(host, port) + " (ssh.host_key_checking: strict). The host presented " +
                        type + " key " + fp + ". After checking that fingerprint out of band, add this line to " +
                        policy.known_hosts + ":\n  " + line);
    // accept-new: keep the file's style (hashed or plain)
    std::string add = KnownHosts::make_line(host, port, type, blob, kh.any_hashed());
    append_known_host(policy.known_hosts, add, host, port, blob);
    if (warn) warn(where + ": new host key accepted and added to " + policy.known_hosts + ": " + type + " " + fp);
}

}  // namespace hoist::ssh
