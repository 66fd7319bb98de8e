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

void sftp_upload(Session& s, const std::string& path_in, std::string_view bytes, int mode, const Deadline& d) {
    std::string path = sftp_path(path_in);
    std::string what = s.label() + ": upload " + path_in;
    Sftp sftp{s, retry_ptr(s.raw(), s.fd(), d, what + ": starting SFTP", [&] { return libssh2_sftp_init(s.raw()); })};
    auto fail = [&](const std::string& step, int rc) {
        throw Error(kind_of(rc) == ErrorKind::disconnected ? ErrorKind::disconnected : ErrorKind::sftp,
                    what + ": " + step + ": " + sftp_error(sftp.sftp, s, rc));
    };
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    // Parent directories, one by one; "already exists" is fine, any other failure shows at open.
    for (std::size_t pos = 1; !dir.empty() && pos <= dir.size(); ++pos) {
        if (pos != dir.size() && dir[pos] != '/') continue;
        std::string part = dir.substr(0, pos);
        s.call(d, what, [&] {
            return libssh2_sftp_mkdir_ex(sftp.sftp, part.c_str(), static_cast<unsigned>(part.size()), 0700);
        });
    }
    std::string suffix;
    for (unsigned char c : random_bytes(6)) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", c);
        suffix += hex;
    }
    std::string tmp = (dir.empty() ? "" : dir + "/") + "." + base + ".hoist-" + suffix;
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
}

}  // namespace hoist::ssh
