#pragma once
/// The deploy lock: the directory `~/.hoist/<service>/lock` on the first host of the file, made with
/// an atomic mkdir and holding `info.json` (who, from which machine and process, when, the tag and
/// a message). A killed deploy leaves it behind; the next one reports the holder and its age, and
/// says when the holder was a process on this machine that is gone (a stale lock). Only
/// `hoist lock release` removes someone else's lock.
#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lb/balancer.hpp"
#include "ssh/connection.hpp"

namespace hoist::deploy {

struct LockInfo {
    std::string id;       ///< unique per acquisition
    std::string user;     ///< who ran hoist
    std::string machine;  ///< hostname of the controller
    int pid = 0;
    std::string time;     ///< RFC 3339
    std::string tag;
    std::string message;
    std::string command;  ///< deploy, rollback, lock acquire
    nlohmann::json to_json() const;
    static LockInfo from_json(const nlohmann::json& j);
    /// A fresh one for this process.
    static LockInfo mine(const std::string& command, const std::string& tag, const std::string& message);
    /// "deploy of v2 by alice on ci-runner-3 (pid 4242) since 2026-12-01T10:00:00Z (12m ago): message"
    std::string describe() const;
    /// Whether the holder was a process on this machine that no longer exists.
    bool stale_here() const;
};

struct LockState {
    bool held = false;
    std::optional<LockInfo> holder;  ///< nullopt while held: the holder has not written its info yet
};

class Lock {
public:
    /// `dir` is the service's state directory on the host (`.hoist/<service>`).
    Lock(ssh::Connection& connection, std::string dir, std::string host);

    /// Takes the lock or returns who holds it.
    LockState try_acquire(const LockInfo& me);
    /// Retries every second until `wait` has passed (0: once). Throws Error(locked) with the holder.
    void acquire(const LockInfo& me, std::chrono::milliseconds wait, const lb::Sleeper& sleep);
    /// Releases it when `id` is ours (empty: whoever holds it). Returns false when someone else holds it.
    /// Throws Error (exit 1) when the host cannot remove it.
    bool release(const std::string& id);
    /// Throws Error (exit 1) when the host cannot read it.
    LockState status();

    const std::string& host() const { return m_host; }

private:
    ssh::Connection& m_connection;
    std::string m_dir, m_host;
};

/// "another deploy holds the lock on HOST: ...; `hoist lock release` removes it" (exit 3).
std::string lock_held_message(const std::string& host, const LockState& state);

}  // namespace hoist::deploy
