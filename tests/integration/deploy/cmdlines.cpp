#include "cmdlines.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

namespace hoist::dtest {

namespace fs = std::filesystem;

CommandLines::CommandLines() {
    m_thread = std::thread([this] {
        while (!m_stop) {
            std::error_code ec;
            for (const auto& p : fs::directory_iterator("/proc", ec)) {
                int fd = ::open((p.path() / "cmdline").c_str(), O_RDONLY | O_CLOEXEC);
                if (fd < 0) continue;  // gone already
                std::string s;
                char buf[4096];
                ssize_t n;
                while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
                ::close(fd);
                if (!s.empty()) m_seen.insert(s);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    });
}

CommandLines::~CommandLines() { stop(); }

const std::set<std::string>& CommandLines::stop() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    return m_seen;
}

std::set<std::string> containing(const std::set<std::string>& lines, const std::string& needle,
                                 const std::string& fleet_dir) {
    std::set<std::string> out;
    for (const auto& c : lines) {
        if (c.find("/tmp/hoist-fleet/") != std::string::npos && c.find(fleet_dir) == std::string::npos) continue;
        if (c.find(needle) != std::string::npos) out.insert(c);
    }
    return out;
}

}  // namespace hoist::dtest
