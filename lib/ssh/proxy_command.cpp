#include "ssh/proxy_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

extern char** environ;

namespace hoist::ssh {

namespace {
constexpr std::size_t stderr_cap = 4096;
}  // namespace

ProxyProcess::ProxyProcess(const std::string& command, Socket child_end) : m_command(command) {
    int err[2];
    if (::pipe2(err, O_CLOEXEC) != 0)
        throw Error(ErrorKind::connect, "ProxyCommand `" + command + "`: pipe: " + std::strerror(errno));
    // posix_spawn, not fork: hoist has threads (one per host), and only exec is safe after fork.
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, child_end.fd(), 0);
    posix_spawn_file_actions_adddup2(&fa, child_end.fd(), 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    // only 0, 1 and 2, as ssh itself runs it (ssh closes every other descriptor at start): what
    // hoist's own parent left open without FD_CLOEXEC is none of the program's business either
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // its own process group: the terminal's Ctrl-C must not cut the connections hoist needs to undo
    // a deploy; hoist ends the group itself. SIGPIPE back to default (hoist ignores it, and ignored
    // signals survive exec), no signal blocked.
    sigset_t none, pipe_only;
    sigemptyset(&none);
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &pipe_only);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::string script = "exec " + command;  // as ssh does: the shell becomes the command
    const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
    int rc = ::posix_spawn(&m_pid, "/bin/sh", &fa, &attr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(err[1]);
    if (rc != 0) {
        ::close(err[0]);
        m_pid = -1;
        throw Error(ErrorKind::connect, "ProxyCommand `" + command + "`: cannot start /bin/sh: " + std::strerror(rc));
    }
    m_reader = std::thread([this, fd = err[0]] { read_stderr(fd); });
}

void ProxyProcess::read_stderr(int fd) {
    // Until EOF: the program and everything it started have closed their stderr. A grandchild that
    // keeps it open past the end of the process group is not waited for: the destructor kills the
    // whole group, and a daemon that left the group is stopped being read by the poll timeout below.
    char buf[1024];
    while (!m_stop) {
        pollfd p{fd, POLLIN, 0};
        int n = ::poll(&p, 1, 200);
        if (n < 0 && errno != EINTR) break;
        if (n <= 0) continue;
        ssize_t got = ::read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stderr.append(buf, static_cast<std::size_t>(got));
        if (m_stderr.size() > 2 * stderr_cap) m_stderr.erase(0, m_stderr.size() - stderr_cap);
    }
    ::close(fd);
}

std::string ProxyProcess::stderr_tail() {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::string s = m_stderr.size() > stderr_cap ? m_stderr.substr(m_stderr.size() - stderr_cap) : m_stderr;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

bool ProxyProcess::exited() {
    if (m_exited) return true;
    // WNOWAIT: look without reaping, so the pid (and the process group id) cannot be reused before
    // the destructor has signalled the group.
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
    if (info.si_pid != m_pid) return false;
    if (info.si_code == CLD_EXITED) m_status = info.si_status;
    else m_signal = info.si_status;
    m_exited = true;
    return true;
}

std::string ProxyProcess::describe(std::chrono::milliseconds grace) {
    auto until = std::chrono::steady_clock::now() + grace;
    while (!exited() && std::chrono::steady_clock::now() < until) ::usleep(10000);
    std::string out = "ProxyCommand `" + m_command + "` ";
    if (!exited()) out += "is still running";
    else if (m_signal) out += "was killed by signal " + std::to_string(m_signal);
    else out += "exited with status " + std::to_string(m_status);
    if (exited()) {
        // its stderr reaches EOF right after the exit; give the reader a moment to take the last line
        for (int i = 0; i < 20 && stderr_tail().empty(); ++i) ::usleep(5000);
    }
    std::string err = stderr_tail();
    out += err.empty() ? " (nothing on its stderr)" : ": " + err;
    return out;
}

ProxyProcess::~ProxyProcess() {
    if (m_pid > 0) {
        // The group, not just the shell's pid: `sh -c` may have left children (a pipeline, a wrapper
        // script). Until the leader is reaped (last, below) its pid names this group and nothing else.
        ::kill(-m_pid, SIGTERM);
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        while (!exited() && std::chrono::steady_clock::now() < until) ::usleep(10000);
        ::kill(-m_pid, SIGKILL);  // stragglers of the group, and the leader if it ignored TERM
        int status = 0;
        while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    m_stop = true;
    if (m_reader.joinable()) m_reader.join();
}

std::pair<Socket, std::unique_ptr<ProxyProcess>> start_proxy_command(const std::string& command) {
    int fds[2];
    // CLOEXEC on both: only the dup2 onto the child's 0 and 1 survives exec. The child's end stays
    // blocking (plain programs expect blocking stdio); ours is non-blocking like every SSH socket.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        throw Error(ErrorKind::connect, "ProxyCommand `" + command + "`: socketpair: " + std::strerror(errno));
    Socket ours(fds[0]), theirs(fds[1]);
    make_nonblocking(ours.fd());
    auto process = std::make_unique<ProxyProcess>(command, std::move(theirs));
    return {std::move(ours), std::move(process)};
}

}  // namespace hoist::ssh
