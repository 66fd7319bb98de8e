#pragma once
/// The one error type of the SSH layer. Every message names the host and the step, so a failure on
/// one host of a hundred can be read on its own ("10.0.1.12:22: authentication failed: ...").
#include <string>

#include "util/error.hpp"

struct _LIBSSH2_SESSION;

namespace hoist::ssh {

/// What went wrong, so callers can decide (retry a connect, roll back, report a host as unreachable).
enum class ErrorKind {
    connect,       ///< TCP: resolve, refuse, unreachable, connect timeout
    timeout,       ///< a deadline passed (connect, handshake, command)
    host_key,      ///< host key unknown or changed; nothing was sent to the host
    auth,          ///< no key was accepted
    disconnected,  ///< the connection dropped (EOF, reset, keepalive)
    channel,       ///< a channel could not be opened or was refused (forwarding, exec)
    sftp,          ///< an upload failed on the host (over SFTP, or the exec channel that stands in for it)
    protocol,      ///< anything else libssh2 reported
};

std::string to_string(ErrorKind kind);

/// A `hoist::Failure`: outside a deploy it ends a command with exit 1 and its message, which names
/// the host.
class Error : public hoist::Failure {
public:
    Error(ErrorKind kind, const std::string& message) : hoist::Failure(message), m_kind(kind) {}
    ErrorKind kind() const { return m_kind; }

private:
    ErrorKind m_kind;
};

/// A libssh2 error as text: its message, or plain words for a generic one on a dead socket
/// ("connection lost (nothing could be read from the host) (libssh2 -43)").
std::string describe(int libssh2_rc, const std::string& message);

/// The session's last libssh2 error as text ("-18 LIBSSH2_ERROR_AUTHENTICATION_FAILED: ...").
std::string last_error(_LIBSSH2_SESSION* session);

/// Maps a libssh2 return code to a kind (socket errors become `disconnected`).
ErrorKind kind_of(int libssh2_rc);

/// Throws Error(kind_of(rc), "<what>: <libssh2's message>") when rc < 0; returns rc otherwise.
int check(_LIBSSH2_SESSION* session, int rc, const std::string& what);

}  // namespace hoist::ssh
