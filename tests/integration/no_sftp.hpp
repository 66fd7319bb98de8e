#pragma once
// A test fleet host whose sshd offers no SFTP, as on hardened images that remove `Subsystem sftp`
// from sshd_config, for as long as the object lives: the line is taken out of the host's
// <fleetdir>/hN/sshd_config and its sshd restarted (tests/fleet/fleet restart-sshd); the destructor
// puts the file back and restarts it again, also when the test failed. Only this fleet's host is
// touched. Connections made before the restart keep the sshd they had: connect afterwards.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace hoist::itest {

class NoSftp {
public:
    /// `node` is the fleet's name for the host ("h2").
    NoSftp(std::string fleet_dir, std::string fleet_name, std::string node)
        : m_fleet_dir(std::move(fleet_dir)), m_fleet_name(std::move(fleet_name)), m_node(std::move(node)) {
        std::string path = config_path();
        m_original = read(path);
        std::istringstream in(m_original);
        std::string without;
        int removed = 0;
        for (std::string line; std::getline(in, line);) {
            std::istringstream words(line);
            std::string key, name;
            words >> key >> name;
            if (key == "Subsystem" && name == "sftp") {
                ++removed;
                continue;
            }
            without += line + "\n";
        }
        // without the line there is nothing to take away, and the test would prove nothing
        EXPECT_EQ(removed, 1) << path << " has no 'Subsystem sftp' line to remove";
        std::ofstream(path) << without;
        m_changed = true;
        m_refusals_before = refusals_in_log();
        m_ok = restart() && removed == 1;
    }
    ~NoSftp() {
        if (!m_changed) return;
        std::ofstream(config_path()) << m_original;
        EXPECT_TRUE(restart()) << "sshd of " << m_node << " did not come back with SFTP";
    }
    NoSftp(const NoSftp&) = delete;
    NoSftp& operator=(const NoSftp&) = delete;

    /// The line was there, is gone, and the host's sshd runs without it.
    bool ok() const { return m_ok; }
    /// SFTP subsystem requests the host's sshd refused since the object was made.
    int refusals() const { return refusals_in_log() - m_refusals_before; }

private:
    std::string config_path() const { return m_fleet_dir + "/" + m_node + "/sshd_config"; }
    static std::string read(const std::string& path) {
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    bool restart() const {
        std::string cmd = std::string(HOIST_SOURCE_DIR) + "/tests/fleet/fleet restart-sshd --name " + m_fleet_name + " " +
                          m_node + " >/dev/null 2>&1";
        return std::system(cmd.c_str()) == 0;
    }
    /// OpenSSH logs "subsystem request for sftp by user hoist failed, subsystem not found".
    int refusals_in_log() const {
        std::istringstream in(read(m_fleet_dir + "/" + m_node + "/sshd.log"));
        int n = 0;
        for (std::string line; std::getline(in, line);)
            if (line.find("subsystem request for sftp") != std::string::npos && line.find("failed") != std::string::npos)
                ++n;
        return n;
    }

    std::string m_fleet_dir, m_fleet_name, m_node, m_original;
    bool m_changed = false, m_ok = false;
    int m_refusals_before = 0;
};

}  // namespace hoist::itest
