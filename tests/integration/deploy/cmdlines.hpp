#pragma once
// Every command line on this machine, sampled every 10 ms on a thread of its own while a test runs
// hoist: the fleet's hosts share this machine's PID namespace, so their processes (sshd sessions,
// the commands hoist runs there) are seen too. For "no secret in any argv" checks.
#include <atomic>
#include <set>
#include <string>
#include <thread>

namespace hoist::dtest {

class CommandLines {
public:
    CommandLines();
    ~CommandLines();
    CommandLines(const CommandLines&) = delete;
    CommandLines& operator=(const CommandLines&) = delete;
    /// Stops sampling and returns every distinct command line seen (arguments NUL-separated).
    const std::set<std::string>& stop();

private:
    std::atomic<bool> m_stop{false};
    std::set<std::string> m_seen;
    std::thread m_thread;
};

/// Command lines that contain `needle`, leaving out other fleets' processes (another engineer's
/// fleet on a shared machine: under /tmp/hoist-fleet/ but not `fleet_dir`).
std::set<std::string> containing(const std::set<std::string>& lines, const std::string& needle,
                                 const std::string& fleet_dir);

}  // namespace hoist::dtest
