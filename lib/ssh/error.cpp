#include "ssh/error.hpp"

#include <libssh2.h>

namespace hoist::ssh {

std::string to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::connect: return "connect";
        case ErrorKind::timeout: return "timeout";
        case ErrorKind::host_key: return "host_key";
        case ErrorKind::auth: return "auth";
        case ErrorKind::disconnected: return "disconnected";
        case ErrorKind::channel: return "channel";
        case ErrorKind::sftp: return "sftp";
        case ErrorKind::protocol: return "protocol";
    }
    return "unknown";
}

std::string describe(int rc, const std::string& message) {
    // libssh2 often says only "Unexpected error" for a dead socket; say what it means instead
    bool generic = message.empty() || message == "Unexpected error" || message == "unknown error";
    std::string plain;
    switch (rc) {
        case LIBSSH2_ERROR_SOCKET_RECV: plain = "connection lost (nothing could be read from the host)"; break;
        case LIBSSH2_ERROR_SOCKET_SEND: plain = "connection lost (nothing could be sent to the host)"; break;
        case LIBSSH2_ERROR_SOCKET_DISCONNECT: plain = "the host closed the connection"; break;
        case LIBSSH2_ERROR_SOCKET_TIMEOUT:
        case LIBSSH2_ERROR_TIMEOUT: plain = "timed out"; break;
        case LIBSSH2_ERROR_CHANNEL_CLOSED: plain = "the host closed the channel"; break;
        default: break;
    }
    std::string text = generic && !plain.empty() ? plain : (message.empty() ? "unknown error" : message);
    return text + " (libssh2 " + std::to_string(rc) + ")";
}

std::string last_error(LIBSSH2_SESSION* session) {
    if (!session) return "no session";
    char* msg = nullptr;
    int len = 0;
    int rc = libssh2_session_last_error(session, &msg, &len, 0);
    return describe(rc, msg && len > 0 ? std::string(msg, static_cast<std::size_t>(len)) : "");
}

ErrorKind kind_of(int rc) {
    switch (rc) {
        case LIBSSH2_ERROR_SOCKET_SEND:
        case LIBSSH2_ERROR_SOCKET_RECV:
        case LIBSSH2_ERROR_SOCKET_DISCONNECT:
        case LIBSSH2_ERROR_SOCKET_NONE:
        case LIBSSH2_ERROR_BANNER_RECV:
        case LIBSSH2_ERROR_CHANNEL_CLOSED:
        case LIBSSH2_ERROR_CHANNEL_EOF_SENT:
            return ErrorKind::disconnected;
        case LIBSSH2_ERROR_TIMEOUT:
        case LIBSSH2_ERROR_SOCKET_TIMEOUT:
            return ErrorKind::timeout;
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
        case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
        case LIBSSH2_ERROR_FILE:
            return ErrorKind::auth;
        case LIBSSH2_ERROR_CHANNEL_FAILURE:
        case LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED:
        case LIBSSH2_ERROR_CHANNEL_OUTOFORDER:
        case LIBSSH2_ERROR_CHANNEL_UNKNOWN:
            return ErrorKind::channel;
        case LIBSSH2_ERROR_SFTP_PROTOCOL:
            return ErrorKind::sftp;
        default:
            return ErrorKind::protocol;
    }
}

int check(LIBSSH2_SESSION* session, int rc, const std::string& what) {
    if (rc >= 0) return rc;
    throw Error(kind_of(rc), what + ": " + last_error(session));
}

}  // namespace hoist::ssh
