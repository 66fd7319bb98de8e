#include "util/process.hpp"
#include "util/process_stream.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

extern char** environ;

namespace hoist {

namespace {
using Clock = std::chrono::steady_clock;

int ms_until(Clock::time_point t) {
    auto d = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(d, 0, 1000));
}

/// Reaps the child without blocking; true once it has exited (status set).
bool reaped(pid_t pid, int& status) {
    while (true) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return true;
        if (r < 0 && errno == EINTR) continue;
        return r < 0;  // ECHILD: someone else reaped it; nothing left to wait for
    }
}
}  // namespace

namespace {

ProcessResult run(const std::vector<std::string>& argv, const ProcessOptions& options, const OutputChunk* on_chunk) {
    ProcessResult r;
    if (argv.empty()) return r;
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) || (options.capture && (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)))) {
        r.err = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    // Build argv/envp before fork: no allocation in the child.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (char** e = environ; *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos && options.env.count(kv.substr(0, eq))) continue;
        env_storage.push_back(kv);
    }
    for (const auto& [k, v] : options.env) env_storage.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = fork();
    if (pid < 0) {
        r.err = std::string("fork: ") + std::strerror(errno);
        return r;
    }
    if (pid == 0) {
        if (options.new_group) setpgid(0, 0);
        dup2(in[0], 0);
        if (options.capture) {
            dup2(out[1], 1);
            dup2(err[1], 2);
        }
        if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(127);
        execvpe(args[0], args.data(), envp.data());
        _exit(127);
    }
    if (options.new_group) setpgid(pid, pid);  // also here: no race with the signals below
    close(in[0]);
    if (options.capture) {
        close(out[1]);
        close(err[1]);
    }
    // stdin: the input (written as the child takes it, never blocking), then EOF.
    const std::string no_input;
    const std::string& data = options.input ? *options.input : no_input;
    std::size_t written = 0;
    int in_fd = in[1];
    if (data.empty()) {
        close(in_fd);
        in_fd = -1;
    } else {
        signal(SIGPIPE, SIG_IGN);  // a child that exits without reading its input: EPIPE, not death
        fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
    }

    const auto deadline = Clock::now() + options.timeout;
    auto kill_child = [&](int sig) {
        if (options.new_group) ::kill(-pid, sig);
        else ::kill(pid, sig);
    };
    int status = 0;
    bool exited = false, terminated = false;
    Clock::time_point kill_at{}, exited_at{};
    int out_fd = options.capture ? out[0] : -1, err_fd = options.capture ? err[0] : -1;
    char buf[65536];
    while (true) {
        if (!exited && reaped(pid, status)) {
            exited = true;
            exited_at = Clock::now();
        }
        // Done when the child is gone and its pipes are drained; a grandchild that inherited
        // them (a daemon started by a hook) gets 2 s, then we stop reading.
        bool pipes_open = out_fd >= 0 || err_fd >= 0;
        if (exited && (!pipes_open || Clock::now() - exited_at > std::chrono::seconds(2))) break;
        if (!exited && !terminated && Clock::now() >= deadline) {
            r.timed_out = true;
            terminated = true;
            kill_child(SIGTERM);
            kill_at = Clock::now() + std::chrono::seconds(2);
        }
        if (terminated && !exited && Clock::now() >= kill_at) {
            kill_child(SIGKILL);
            kill_at = Clock::now() + std::chrono::hours(1);
        }
        pollfd fds[3];
        int n = 0;
        int idx_out = -1, idx_err = -1, idx_in = -1;
        if (out_fd >= 0) fds[idx_out = n++] = {out_fd, POLLIN, 0};
        if (err_fd >= 0) fds[idx_err = n++] = {err_fd, POLLIN, 0};
        if (in_fd >= 0) fds[idx_in = n++] = {in_fd, POLLOUT, 0};
        // Short waits: the child's exit has no fd to poll for.
        int wait_ms = exited ? 50 : std::min(ms_until(terminated ? kill_at : deadline), 50);
        if (n == 0) {
            ::usleep(static_cast<useconds_t>(std::max(wait_ms, 1)) * 1000);
            continue;
        }
        if (::poll(fds, static_cast<nfds_t>(n), std::max(wait_ms, 1)) < 0 && errno != EINTR) break;
        auto drain = [&](int idx, int& fd, std::string& sink) {
            if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
            ssize_t got = ::read(fd, buf, sizeof buf);
            if (got > 0) {
                sink.append(buf, static_cast<std::size_t>(got));
                if (on_chunk) (*on_chunk)(&sink == &r.err, std::string_view(buf, static_cast<std::size_t>(got)));
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                close(fd);
                fd = -1;
            }
        };
        drain(idx_out, out_fd, r.out);
        drain(idx_err, err_fd, r.err);
        if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = ::write(in_fd, data.data() + written, data.size() - written);
            if (w > 0) written += static_cast<std::size_t>(w);
            if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == data.size()) {
                close(in_fd);  // EPIPE: the child does not read its input; not our failure
                in_fd = -1;
            }
        }
    }
    if (in_fd >= 0) close(in_fd);
    if (out_fd >= 0) close(out_fd);
    if (err_fd >= 0) close(err_fd);
    if (!exited) {  // not reached normally; never leave a zombie
        kill_child(SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    }
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
    return r;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
    return run(argv, options, nullptr);
}

ProcessResult run_process_lines(const std::vector<std::string>& argv, const ProcessOptions& options,
                                const std::function<void(bool is_stderr, const std::string& line)>& on_line) {
    // One partial line per stream: a line is handed on when its newline arrives, the rest at the end.
    std::string pending[2];
    OutputChunk chunk = [&](bool is_err, std::string_view data) {
        std::string& p = pending[is_err ? 1 : 0];
        p.append(data);
        std::size_t start = 0, nl;
        while ((nl = p.find('\n', start)) != std::string::npos) {
            on_line(is_err, p.substr(start, nl - start));
            start = nl + 1;
        }
        p.erase(0, start);
    };
    ProcessOptions o = options;
    o.capture = true;
    auto r = run(argv, o, &chunk);
    for (int i = 0; i < 2; ++i)
        if (!pending[i].empty()) on_line(i == 1, pending[i]);
    return r;
}

}  // namespace hoist
