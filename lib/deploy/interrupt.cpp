#include "deploy/interrupt.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace hoist::deploy {

namespace {

std::atomic<int> g_count{0};
std::atomic<int> g_signal{0};
int g_pipe[2] = {-1, -1};
struct sigaction g_old_int, g_old_term;

void on_signal(int sig) {
    int n = ++g_count;
    g_signal.store(sig);
    if (n == 1) {
        char b = 1;
        [[maybe_unused]] auto w = write(g_pipe[1], &b, 1);  // stays unread: every sleeper wakes
        return;
    }
    if (n == 2) {
        const char msg[] = "\nhoist: already stopping: putting the fleet and the load balancer back first "
                           "(a third signal ends hoist at once and may leave them inconsistent)\n";
        [[maybe_unused]] auto w = write(STDERR_FILENO, msg, sizeof msg - 1);
        return;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

}  // namespace

Interrupts::Interrupts() {
    g_count = 0;
    g_signal = 0;
    if (pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_pipe[0] = g_pipe[1] = -1;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
}

Interrupts::~Interrupts() {
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
    for (int& fd : g_pipe)
        if (fd >= 0) {
            close(fd);
            fd = -1;
        }
}

bool Interrupts::requested() { return g_count.load() > 0; }
int Interrupts::signal_number() { return g_signal.load(); }

bool Interrupts::sleep(std::chrono::milliseconds d) {
    if (requested()) return false;
    if (g_pipe[0] < 0) {
        std::this_thread::sleep_for(d);
        return !requested();
    }
    auto end = std::chrono::steady_clock::now() + d;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) return !requested();
        pollfd p{g_pipe[0], POLLIN, 0};
        int r = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (r > 0 || requested()) return false;
    }
}

lb::Sleeper Interrupts::interruptible() {
    return [](std::chrono::milliseconds d) { return Interrupts::sleep(d); };
}

lb::Sleeper Interrupts::uninterruptible() {
    return [](std::chrono::milliseconds d) {
        std::this_thread::sleep_for(d);
        return true;
    };
}

}  // namespace hoist::deploy
