#include "ssh/sftp.hpp"

#include <libssh2_sftp.h>

#include <cstdio>

#include "ssh/crypto.hpp"

namespace hoist::ssh {

std::string sftp_path(const std::string& path) {
    if (path == "~") return ".";
    if (path.rfind("~/", 0) == 0) return path.substr(2);
    return path;
}

std::string temp_path_beside(const std::string& path) {
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    std::string suffix;
    for (unsigned char c : random_bytes(6)) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", c);
        suffix += hex;
    }
    return (dir.empty() ? "" : dir + "/") + "." + base + ".hoist-" + suffix;
}

namespace {

struct Sftp {
    Session& s;
    LIBSSH2_SFTP* sftp;
    ~Sftp() {
        Deadline d = Deadline::in(std::chrono::milliseconds(500));
        try {
            s.call(d, "closing SFTP", [&] { return libssh2_sftp_shutdown(sftp); });
        } catch (const Error&) {
            s.mark_broken();
        }
    }
};

struct Handle {
    Session& s;
    LIBSSH2_SFTP_HANDLE* h;
    ~Handle() {
        if (!h) return;
        Deadline d = Deadline::in(std::chrono::milliseconds(500));
        try {
            s.call(d, "closing an SFTP file", [&] { return libssh2_sftp_close_handle(h); });
        } catch (const Error&) {
            s.mark_broken();
        }
    }
    int close(const Deadline& d) {
        int rc = s.call(d, "closing an SFTP file", [&] { return libssh2_sftp_close_handle(h); });
        h = nullptr;
        return rc;
    }
};

/// libssh2's words when the server answers the "subsystem sftp" request with a failure (sshd:
/// "subsystem request for sftp by user ... failed, subsystem not found"). libssh2 reports it as
/// LIBSSH2_ERROR_CHANNEL_FAILURE, as it does a channel the server would not even open, so the
/// message is what tells the two apart.
constexpr std::string_view subsystem_refused = "Unable to request SFTP subsystem";

/// SFTP on the session, or nullptr when the server refuses the subsystem.
LIBSSH2_SFTP* start_sftp(Session& s, const Deadline& d, const std::string& what) {
    for (;;) {
        if (auto* sftp = libssh2_sftp_init(s.raw())) return sftp;
        char* msg = nullptr;
        int len = 0;
        int rc = libssh2_session_last_error(s.raw(), &msg, &len, 0);
        if (rc == LIBSSH2_ERROR_EAGAIN) {
            try {
                s.wait(d, what);
            } catch (const Error&) {
                s.mark_broken();  // its half-done channel open would be continued by the next open
                throw;
            }
            continue;
        }
        std::string_view text(msg ? msg : "", msg && len > 0 ? static_cast<std::size_t>(len) : 0);
        if (rc != LIBSSH2_ERROR_CHANNEL_FAILURE || text != subsystem_refused)
            throw Error(kind_of(rc), what + ": " + last_error(s.raw()));
        // libssh2 (since 1.11) would close the refused channel on the next sftp_init call, and
        // that waits for the server's CHANNEL_CLOSE, which OpenSSH's sshd did not send for it on
        // the test fleet (the wait ran into the deadline). So the channel is left open, idle,
        // until the session ends: the caller asks for SFTP once per session, so there is at most
        // one such channel per connection.
        return nullptr;
    }
}

std::string sftp_error(LIBSSH2_SFTP* sftp, Session& s, int rc) {
    if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL) {
        static const char* names[] = {"ok", "EOF", "no such file", "permission denied", "failure",
                                      "bad message", "no connection", "connection lost", "unsupported"};
        unsigned long code = libssh2_sftp_last_error(sftp);
        return code < 9 ? names[code] : "SFTP status " + std::to_string(code);
    }
    return last_error(s.raw());
}

}  // namespace

bool sftp_upload(Session& s, const std::string& path_in, std::string_view bytes, int mode, const Deadline& d) {
    std::string path = sftp_path(path_in);
    std::string what = s.label() + ": upload " + path_in;
    LIBSSH2_SFTP* started = start_sftp(s, d, what + ": starting SFTP");
    if (!started) return false;
    Sftp sftp{s, started};
    auto fail = [&](const std::string& step, int rc) {
        throw Error(kind_of(rc) == ErrorKind::disconnected ? ErrorKind::disconnected : ErrorKind::sftp,
                    what + ": " + step + ": " + sftp_error(sftp.sftp, s, rc));
    };
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
    // Parent directories, one by one; "already exists" is fine, any other failure shows at open.
    for (std::size_t pos = 1; !dir.empty() && pos <= dir.size(); ++pos) {
        if (pos != dir.size() && dir[pos] != '/') continue;
        std::string part = dir.substr(0, pos);
        s.call(d, what, [&] {
            return libssh2_sftp_mkdir_ex(sftp.sftp, part.c_str(), static_cast<unsigned>(part.size()), 0700);
        });
    }
    std::string tmp = temp_path_beside(path);
    Handle h{s, nullptr};
    for (;;) {
        h.h = libssh2_sftp_open_ex(sftp.sftp, tmp.c_str(), static_cast<unsigned>(tmp.size()),
                                   LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL, mode,
                                   LIBSSH2_SFTP_OPENFILE);
        if (h.h) break;
        int e = libssh2_session_last_errno(s.raw());
        if (e != LIBSSH2_ERROR_EAGAIN) fail("creating " + tmp, e);
        s.wait(d, what);
    }
    bool renamed = false;
    try {
        // the server applies its umask to the create mode; set it exactly
        LIBSSH2_SFTP_ATTRIBUTES attrs{};
        attrs.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS;
        attrs.permissions = static_cast<unsigned long>(mode);
        int rc = s.call(d, what, [&] { return libssh2_sftp_fsetstat(h.h, &attrs); });
        if (rc < 0) fail("setting mode", rc);
        std::string_view left = bytes;
        while (!left.empty()) {
            ssize_t n = libssh2_sftp_write(h.h, left.data(), left.size());
            if (n == LIBSSH2_ERROR_EAGAIN) {
                s.wait(d, what);
                continue;
            }
            if (n < 0) fail("writing", static_cast<int>(n));
            left.remove_prefix(static_cast<std::size_t>(n));
        }
        rc = s.call(d, what, [&] { return libssh2_sftp_fsync(h.h); });
        // fsync@openssh.com is an extension; a server without it still gets the rename
        rc = h.close(d);
        if (rc < 0) fail("closing", rc);
        rc = s.call(d, what, [&] {
            return libssh2_sftp_posix_rename_ex(sftp.sftp, tmp.c_str(), tmp.size(), path.c_str(), path.size());
        });
        if (rc < 0) fail("renaming into place", rc);
        renamed = true;
    } catch (...) {
        if (!renamed && !s.broken()) {
            try {
                Deadline cleanup = Deadline::in(std::chrono::milliseconds(1000));
                s.call(cleanup, what, [&] {
                    return libssh2_sftp_unlink_ex(sftp.sftp, tmp.c_str(), static_cast<unsigned>(tmp.size()));
                });
            } catch (const Error&) {
            }
        }
        throw;
    }
    return true;
}

}  // namespace hoist::ssh
