#include "util/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

extern char** environ;

namespace hoist {

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
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
        dup2(in[0], 0);
        if (options.capture) {
            dup2(out[1], 1);
            dup2(err[1], 2);
        }
        if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(127);
        execvpe(args[0], args.data(), envp.data());
        _exit(127);
    }
    close(in[0]);
    if (options.capture) {
        close(out[1]);
        close(err[1]);
    }
    if (options.input) {
        const std::string& data = *options.input;
        std::size_t off = 0;
        signal(SIGPIPE, SIG_IGN);
        while (off < data.size()) {
            ssize_t n = write(in[1], data.data() + off, data.size() - off);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
    }
    close(in[1]);
    if (options.capture) {
        pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
        int open = 2;
        char buf[65536];
        while (open > 0) {
            if (poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue;
                break;
            }
            for (int i = 0; i < 2; ++i) {
                if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                ssize_t n = read(fds[i].fd, buf, sizeof buf);
                if (n > 0) (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
                else {
                    close(fds[i].fd);
                    fds[i].fd = -1;
                    --open;
                }
            }
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
    return r;
}

}  // namespace hoist
