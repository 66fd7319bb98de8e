#include "watchdog.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace hoist::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Proc {
    int pid = 0, ppid = 0;
    char state = '?';
    std::string wchan, cmdline;
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();  // rdbuf() copies "" when the process went away mid-read
    return ss.str();
}

std::map<int, Proc> all_processes() {
    std::map<int, Proc> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
        const std::string name = e.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string stat = slurp(e.path() / "stat");
        auto close = stat.rfind(')');
        if (close == std::string::npos || close + 4 > stat.size()) continue;
        Proc p;
        p.pid = std::atoi(name.c_str());
        p.state = stat[close + 2];
        p.ppid = std::atoi(stat.c_str() + close + 4);
        p.wchan = slurp(e.path() / "wchan");
        p.cmdline = slurp(e.path() / "cmdline");
        for (char& c : p.cmdline)
            if (c == '\0') c = ' ';
        out[p.pid] = p;
    }
    return out;
}

std::vector<Proc> descendants(int root) {
    auto procs = all_processes();
    std::vector<Proc> out;
    std::vector<int> frontier{root};
    while (!frontier.empty()) {
        int parent = frontier.back();
        frontier.pop_back();
        for (const auto& [pid, p] : procs)
            if (p.ppid == parent) {
                out.push_back(p);
                frontier.push_back(pid);
            }
    }
    return out;
}

bool is_python(const Proc& p) { return p.cmdline.find("python") != std::string::npos; }

void run_and_print(const std::string& cmd) {
    std::fflush(stdout);
    if (std::system(cmd.c_str()) != 0) std::printf("  (%s failed)\n", cmd.c_str());
    std::fflush(stdout);
}

class Watchdog : public ::testing::EmptyTestEventListener {
public:
    explicit Watchdog(std::chrono::seconds budget) : m_default(budget) {
        if (const char* b = std::getenv("HOIST_TEST_BUDGET_S"); b && std::atoi(b) > 0)
            m_default = std::chrono::seconds(std::atoi(b));
        m_thread = std::thread([this] { loop(); });
    }
    ~Watchdog() override {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    void OnTestStart(const ::testing::TestInfo& info) override {
        std::lock_guard lock(m_mutex);
        m_name = std::string(info.test_suite_name()) + "." + info.name();
        m_started = Clock::now();
        m_deadline = m_started + m_default;
        m_armed = true;
        m_cv.notify_all();
    }
    void OnTestEnd(const ::testing::TestInfo&) override {
        std::lock_guard lock(m_mutex);
        m_armed = false;
    }
    void extend(std::chrono::seconds budget) {
        std::lock_guard lock(m_mutex);
        m_deadline = std::max(m_deadline, Clock::now() + budget);
        m_cv.notify_all();
    }

private:
    void loop() {
        std::unique_lock lock(m_mutex);
        while (!m_stop) {
            if (!m_armed) {
                m_cv.wait_for(lock, std::chrono::seconds(1));
                continue;
            }
            if (Clock::now() < m_deadline) {
                m_cv.wait_until(lock, std::min(m_deadline, Clock::now() + std::chrono::seconds(1)));
                continue;
            }
            std::string name = m_name;
            auto secs = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - m_started).count();
            lock.unlock();
            expire(name, secs);  // does not return
        }
    }

    [[noreturn]] void expire(const std::string& name, long long secs) {
        std::printf("\n[ TIMEOUT ] %s after %lld s: the stacks of this process and of its children follow\n",
                    name.c_str(), secs);
        const int self = ::getpid();
        auto kids = descendants(self);
        std::printf("[ TIMEOUT ] processes:\n  %d (this test process)\n", self);
        for (const auto& p : kids)
            std::printf("  %d ppid %d state %c wchan %s: %s\n", p.pid, p.ppid, p.state, p.wchan.c_str(),
                        p.cmdline.substr(0, 300).c_str());
        std::fflush(stdout);
        const char* dir = std::getenv("HOIST_STACKS_DIR");
        bool any_python = false;
        for (const auto& p : kids)
            if (is_python(p)) {
                ::kill(p.pid, SIGUSR1);
                any_python = true;
            }
        if (any_python && dir) {
            std::this_thread::sleep_for(std::chrono::seconds(1));
            for (const auto& p : kids) {
                if (!is_python(p)) continue;
                std::string text = slurp(fs::path(dir) / (std::to_string(p.pid) + ".txt"));
                std::printf("[ TIMEOUT ] python stacks of %d (%s):\n%s\n", p.pid, p.cmdline.substr(0, 120).c_str(),
                            text.empty() ? "  (none written)" : text.c_str());
            }
        }
        std::vector<int> gdb_targets{self};
        for (const auto& p : kids)
            if (!is_python(p) && p.state != 'Z') gdb_targets.push_back(p.pid);
        for (int pid : gdb_targets) {
            if (gdb_targets.size() > 12 && pid != self && pid != gdb_targets[1]) continue;  // bounded output
            std::printf("[ TIMEOUT ] gdb stacks of %d:\n", pid);
            run_and_print("timeout 60 gdb -nx -batch -p " + std::to_string(pid) +
                          " -ex 'set pagination off' -ex 'thread apply all bt' 2>&1 | grep -v '^\\[New LWP' | head -400");
        }
        for (const auto& p : descendants(self)) ::kill(p.pid, SIGKILL);
        std::printf("[ TIMEOUT ] %s: killed; the test process exits with 124\n", name.c_str());
        std::fflush(stdout);
        std::_Exit(124);
    }

    std::chrono::seconds m_default;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::thread m_thread;
    std::string m_name;
    Clock::time_point m_started{}, m_deadline{};
    bool m_armed = false, m_stop = false;
};

Watchdog* g_watchdog = nullptr;

}  // namespace

void install_watchdog(std::chrono::seconds default_budget) {
    // Helpers started with setsid re-parent to us, not to init, so the watchdog can find them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (!std::getenv("HOIST_STACKS_DIR")) {
        std::string dir = "/tmp/hoist-test-stacks-" + std::to_string(::getpid());
        fs::create_directories(dir);
        ::setenv("HOIST_STACKS_DIR", dir.c_str(), 1);
    }
    g_watchdog = new Watchdog(default_budget);  // owned by gtest's listener list from here
    ::testing::UnitTest::GetInstance()->listeners().Append(g_watchdog);
}

void extend_budget(std::chrono::seconds budget) {
    if (g_watchdog) g_watchdog->extend(budget);
}

}  // namespace hoist::testing
