#pragma once
/// The narrow interface the rest of hoist uses to work on one host: run a command, upload a file,
/// make an HTTP request to a port on the host, talk to a unix socket on the host. The real
/// implementation is a libssh2 session (connect.hpp); FakeConnection (fake_connection.hpp) records
/// and scripts calls for unit tests of the logic above it.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "remote/shell.hpp"
#include "ssh/error.hpp"

namespace hoist::ssh {

enum class Stream { out, err };

/// Receives output as it arrives (chunks, not lines; see LineSplitter).
using OutputSink = std::function<void(Stream, std::string_view)>;

struct ExecOptions {
    std::chrono::milliseconds timeout{600000};  ///< past it the command is killed (TERM, then KILL)
    std::optional<std::string> input;           ///< written to stdin, then EOF (e.g. a password); never logged
    /// Streams stdin instead of `input` (large payloads such as an image): asked for up to `cap`
    /// bytes as the channel takes them, returns 0 at the end, then EOF is sent. If it throws, the
    /// command is cut off (its stdin ends early) and the exception propagates.
    std::function<std::size_t(char* buf, std::size_t cap)> input_source;
    OutputSink on_output;                       ///< streaming; `out`/`err` of the result still hold everything
    /// Polled while the command runs (about once a second when it is quiet): true ends it the way
    /// a timeout does (TERM, then KILL), and the result says `cancelled`. For Ctrl-C in `hoist run`.
    std::function<bool()> cancel;
};

struct ExecResult {
    int exit_code = -1;        ///< the command's status; 128+N when killed by signal N; -1 unknown
    std::string exit_signal;   ///< "TERM", "KILL", ... when it died of a signal
    std::string out;
    std::string err;
    bool timed_out = false;    ///< killed by hoist after ExecOptions::timeout
    bool cancelled = false;    ///< ended by ExecOptions::cancel
    bool truncated = false;    ///< `out` or `err` stopped at ssh::max_captured_output bytes
    std::chrono::milliseconds duration{0};
    bool ok() const { return exit_code == 0 && !timed_out; }
};

struct HttpResponse {
    int status = 0;  ///< 0: no HTTP response (see `error`)
    std::map<std::string, std::string> headers;  ///< names in lower case
    std::string body;
    std::string error;  ///< why there is no response: refused, timed out, malformed
    bool ok() const { return status != 0; }
};

/// One SSH connection to one host. Calls on one connection are serialised; connections to different
/// hosts work in parallel. Transport failures (host unreachable, dropped, timed out connecting) throw
/// ssh::Error; a command that fails on the host is a result with a non-zero exit code.
class Connection {
public:
    virtual ~Connection() = default;
    /// "user@host:port" for messages.
    virtual const std::string& label() const = 0;

    /// Runs a shell line through the login shell.
    virtual ExecResult exec(const std::string& command_line, const ExecOptions& options) = 0;
    /// Runs a command built by lib/remote (quoted there, in one place).
    ExecResult exec(const remote::Command& command, const ExecOptions& options) {
        return exec(command.render(), options);
    }

    /// Writes `bytes` to `path` on the host (relative paths and "~/..." are under the login
    /// user's home) atomically: a temporary file in the same directory, created with `mode`, then
    /// renamed over the target. Missing parent directories are created with mode 0700.
    virtual void upload(const std::string& path, std::string_view bytes, int mode) = 0;

    /// GET http://127.0.0.1:PORT/PATH as seen from the host, carried through the SSH connection
    /// (direct-tcpip). A refused or timed-out request is a response with status 0 and `error`.
    virtual HttpResponse http_get(int port, const std::string& path, std::chrono::milliseconds timeout) = 0;

    /// Sends `request` to a unix socket on the host (direct-streamlocal) and returns everything read
    /// until the other side closes (HAProxy's admin socket answers one command and closes).
    virtual std::string unix_socket_request(const std::string& socket_path, const std::string& request,
                                            std::chrono::milliseconds timeout) = 0;

    /// Like unix_socket_request for a large request: `head` is written, then what `body` gives
    /// (up to `cap` bytes a call, 0 at the end), then everything is read until the other side
    /// closes. Throws Error(channel) when the socket cannot be reached; `body` has not been asked
    /// for anything then. Connections that cannot stream (the default) throw Error(channel) at once.
    virtual std::string unix_socket_stream(const std::string& socket_path, const std::string& head,
                                           const std::function<std::size_t(char* buf, std::size_t cap)>& body,
                                           std::chrono::milliseconds timeout) {
        (void)head, (void)body, (void)timeout;
        throw Error(ErrorKind::channel, label() + ": " + socket_path + ": streaming to a unix socket is not supported here");
    }
};

/// Splits streamed chunks into whole lines, per stream, so output of many hosts can be interleaved
/// line by line with a host prefix.
class LineSplitter {
public:
    using LineSink = std::function<void(Stream, std::string_view line)>;
    explicit LineSplitter(LineSink sink) : m_sink(std::move(sink)) {}
    void feed(Stream stream, std::string_view chunk);
    /// Emits what is left without a final newline.
    void flush();

private:
    LineSink m_sink;
    std::string m_pending[2];
};

}  // namespace hoist::ssh
