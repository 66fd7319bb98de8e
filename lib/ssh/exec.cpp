#include "ssh/exec.hpp"

#include <algorithm>
#include <csignal>
#include <functional>
#include <vector>

#include "ssh/channel.hpp"

namespace hoist::ssh {

int signal_number(const std::string& name) {
    static const std::pair<const char*, int> table[] = {
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},   {"ABRT", SIGABRT},
        {"FPE", SIGFPE},   {"KILL", SIGKILL}, {"SEGV", SIGSEGV}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
        {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}};
    for (auto& [n, v] : table)
        if (name == n) return v;
    return 0;
}

namespace {

/// stdin: a fixed string, or chunks pulled from ExecOptions::input_source as the channel takes them.
struct Feed {
    std::string_view input;
    const std::function<std::size_t(char*, std::size_t)>* source = nullptr;
    std::vector<char> buf;
    bool source_done = true;
    /// Refills `input` from the source once it is used up; false when there is nothing more.
    bool more() {
        if (!input.empty()) return true;
        if (source_done) return false;
        if (buf.empty()) buf.resize(256 * 1024);
        std::size_t n = (*source)(buf.data(), buf.size());
        if (n == 0) {
            source_done = true;
            return false;
        }
        input = std::string_view(buf.data(), n);
        return true;
    }
};

/// Pumps the channel until EOF on both streams or the deadline. Returns false on the deadline.
bool pump(Channel& ch, const ExecOptions& o, ExecResult& r, Feed& feed, bool& eof_sent, const Deadline& deadline) {
    std::string_view& input = feed.input;
    Session& s = ch.session();
    char buf[32768];
    for (;;) {
        bool progress = false;
        for (int i = 0; i < 2; ++i) {
            int stream_id = i == 0 ? 0 : SSH_EXTENDED_DATA_STDERR;
            for (;;) {
                ssize_t n = libssh2_channel_read_ex(ch.raw(), stream_id, buf, sizeof buf);
                if (n > 0) {
                    std::string_view chunk(buf, static_cast<std::size_t>(n));
                    std::string& kept = i == 0 ? r.out : r.err;
                    std::size_t room = max_captured_output - std::min(kept.size(), max_captured_output);
                    kept.append(chunk.substr(0, room));
                    if (chunk.size() > room) r.truncated = true;
                    if (o.on_output) o.on_output(i == 0 ? Stream::out : Stream::err, chunk);
                    progress = true;
                    continue;
                }
                if (n == 0 || n == LIBSSH2_ERROR_EAGAIN) break;
                s.mark_broken();
                s.check(static_cast<int>(n), "reading command output (the host dropped the connection?)");
            }
        }
        if (!eof_sent && feed.more()) {
            ssize_t n = libssh2_channel_write(ch.raw(), input.data(), input.size());
            if (n > 0) {
                input.remove_prefix(static_cast<std::size_t>(n));
                progress = true;
            } else if (n != LIBSSH2_ERROR_EAGAIN) {
                s.mark_broken();
                s.check(static_cast<int>(n), "writing to the command's stdin");
            }
        }
        if (input.empty() && feed.source_done && !eof_sent) {
            int rc = libssh2_channel_send_eof(ch.raw());
            if (rc == 0) eof_sent = true;
            else if (rc != LIBSSH2_ERROR_EAGAIN) eof_sent = true;  // the command may already be gone
        }
        if (libssh2_channel_eof(ch.raw()) && !progress) return true;
        if (!progress) {
            if (deadline.passed()) return false;
            try {
                s.wait(deadline, "waiting for command output", 1000);
            } catch (const Error& e) {
                if (e.kind() == ErrorKind::timeout) return false;
                throw;
            }
            s.keepalive();
        }
    }
}

void collect_status(Channel& ch, ExecResult& r, const Deadline& d) {
    Session& s = ch.session();
    bool closed = false;
    try {
        int rc = s.call(d, "closing the command channel", [&] { return libssh2_channel_close(ch.raw()); });
        if (rc == 0) closed = s.call(d, "closing the command channel", [&] { return libssh2_channel_wait_closed(ch.raw()); }) == 0;
    } catch (const Error&) {
        // the exit status usually arrived before the close; read it anyway
    }
    char* sig = nullptr;
    size_t siglen = 0;
    libssh2_channel_get_exit_signal(ch.raw(), &sig, &siglen, nullptr, nullptr, nullptr, nullptr);
    if (sig && siglen) {
        r.exit_signal.assign(sig, siglen);
        int n = signal_number(r.exit_signal);
        r.exit_code = n ? 128 + n : -1;
    } else {
        // libssh2 answers 0 when no exit-status came at all. sshd sends it before closing the
        // channel, so a 0 counts only after a clean close; otherwise (the connection went away
        // after EOF) the status is unknown, which is not a success.
        int status = libssh2_channel_get_exit_status(ch.raw());
        r.exit_code = status != 0 || closed ? status : -1;
    }
    if (sig) libssh2_free(s.raw(), sig);
}

}  // namespace

ExecResult run_command(Session& s, const std::string& command_line, const ExecOptions& o) {
    auto start = Clock::now();
    Deadline deadline = Deadline::in(o.timeout);
    ExecResult r;
    Channel ch = open_session_channel(s, deadline);
    int rc = s.call(deadline, "starting the command", [&] {
        return libssh2_channel_process_startup(ch.raw(), "exec", 4, command_line.data(),
                                               static_cast<unsigned>(command_line.size()));
    });
    s.check(rc, "starting the command");
    Feed feed;
    if (o.input_source) {
        feed.source = &o.input_source;
        feed.source_done = false;
    } else if (o.input) {
        feed.input = *o.input;
    }
    bool eof_sent = false;
    if (!pump(ch, o, r, feed, eof_sent, deadline)) {
        r.timed_out = true;
        for (const char* sig : {"TERM", "KILL"}) {
            Deadline grace = Deadline::in(std::chrono::milliseconds(sig[0] == 'T' ? 2000 : 1000));
            try {
                s.call(grace, "signalling the command", [&] { return libssh2_channel_signal_ex(ch.raw(), sig, 4); });
                if (pump(ch, o, r, feed, eof_sent, grace)) break;
            } catch (const Error&) {
                break;
            }
            if (sig[0] == 'K') s.mark_broken();  // not even KILL was answered: the host is gone
        }
        if (!s.broken()) collect_status(ch, r, Deadline::in(std::chrono::milliseconds(1000)));
    } else {
        collect_status(ch, r, Deadline::in(std::chrono::milliseconds(5000)));
    }
    r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return r;
}

}  // namespace hoist::ssh
