#include "deploy/lock.hpp"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <random>

#include "remote/files.hpp"
#include "report/output.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/json_fields.hpp"

namespace hoist::deploy {

namespace {

std::string hostname() {
    char buf[256] = {0};
    gethostname(buf, sizeof buf - 1);
    return buf;
}

std::string username() {
    if (const char* u = std::getenv("USER"); u && *u) return u;
    if (auto* pw = getpwuid(getuid())) return pw->pw_name;
    return std::to_string(getuid());
}

/// Seconds since an RFC 3339 UTC time ("2026-12-01T10:00:00.000Z"), or -1.
long long age_seconds(const std::string& t) {
    std::tm tm{};
    if (!strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return -1;
    return static_cast<long long>(std::time(nullptr) - timegm(&tm));
}

std::string human_age(long long s) {
    if (s < 0) return "?";
    if (s < 120) return std::to_string(s) + "s";
    if (s < 7200) return std::to_string(s / 60) + "m";
    if (s < 172800) return std::to_string(s / 3600) + "h";
    return std::to_string(s / 86400) + "d";
}

}  // namespace

nlohmann::json LockInfo::to_json() const {
    return {{"id", id}, {"user", user}, {"machine", machine}, {"pid", pid}, {"time", time},
            {"tag", tag}, {"message", message}, {"command", command}};
}

LockInfo LockInfo::from_json(const nlohmann::json& j) {
    LockInfo i;
    if (!j.is_object()) return i;
    i.id = text_at(j, "id");
    i.user = text_at(j, "user");
    i.machine = text_at(j, "machine");
    i.pid = static_cast<int>(std::clamp<std::int64_t>(integer_at(j, "pid"), 0, INT32_MAX));
    i.time = text_at(j, "time");
    i.tag = text_at(j, "tag");
    i.message = text_at(j, "message");
    i.command = text_at(j, "command");
    return i;
}

LockInfo LockInfo::mine(const std::string& command, const std::string& tag, const std::string& message) {
    LockInfo i;
    std::random_device rd;
    char id[40];
    std::snprintf(id, sizeof id, "%08x%08x", rd(), rd());
    i.id = id;
    i.user = username();
    i.machine = hostname();
    i.pid = static_cast<int>(getpid());
    i.time = report::rfc3339_now();
    i.tag = tag;
    i.message = message;
    i.command = command;
    return i;
}

std::string LockInfo::describe() const {
    std::string out = (command.empty() ? "hoist" : command) + (tag.empty() ? "" : " of " + tag) + " by " +
                      (user.empty() ? "?" : user) + " on " + (machine.empty() ? "?" : machine) +
                      (pid ? " (pid " + std::to_string(pid) + ")" : "") + " since " + time + " (" +
                      human_age(age_seconds(time)) + " ago)";
    if (!message.empty()) out += ": " + message;
    return out;
}

bool LockInfo::stale_here() const {
    if (machine != hostname() || pid <= 0) return false;
    return kill(pid, 0) != 0 && errno == ESRCH;
}

Lock::Lock(ssh::Connection& connection, std::string dir, std::string host)
    : m_connection(connection), m_dir(std::move(dir)), m_host(std::move(host)) {}

LockState Lock::try_acquire(const LockInfo& me) {
    ssh::ExecOptions o;
    o.timeout = std::chrono::seconds(30);
    o.input = me.to_json().dump();
    auto r = m_connection.exec(remote::lock_acquire(m_dir), o);
    if (r.exit_code == 0) return {false, std::nullopt};
    if (r.exit_code != 3)
        throw Error(ExitCode::rolled_back, m_host + ": cannot take the deploy lock " + m_dir + "/lock: " +
                                               trim(r.err.empty() ? r.out : r.err) + "; nothing was changed");
    LockState s{true, std::nullopt};
    auto j = nlohmann::json::parse(trim(r.out), nullptr, false);
    if (!j.is_discarded() && j.is_object()) s.holder = LockInfo::from_json(j);
    return s;
}

void Lock::acquire(const LockInfo& me, std::chrono::milliseconds wait, const lb::Sleeper& sleep) {
    auto end = std::chrono::steady_clock::now() + wait;
    while (true) {
        LockState s = try_acquire(me);
        if (!s.held) return;
        if (std::chrono::steady_clock::now() >= end || !sleep(std::chrono::seconds(1)))
            throw Error(ExitCode::locked, lock_held_message(m_host, s) +
                                              (wait.count() > 0 ? " (waited " + std::to_string(wait.count() / 1000) + " s)" : ""));
    }
}

bool Lock::release(const std::string& id) {
    ssh::ExecOptions o;
    o.timeout = std::chrono::seconds(30);
    auto r = m_connection.exec(remote::lock_release(m_dir, id), o);
    if (r.exit_code == 3) return false;
    // exit 1: a lock that cannot be removed blocks the next deploy (exit 3 names it); it splits no fleet
    if (!r.ok()) throw Error(ExitCode::rolled_back, m_host + ": cannot remove " + m_dir + "/lock: " + trim(r.err));
    return true;
}

LockState Lock::status() {
    ssh::ExecOptions o;
    o.timeout = std::chrono::seconds(30);
    auto r = m_connection.exec(remote::lock_info(m_dir), o);
    if (!r.ok()) throw Error(ExitCode::rolled_back, m_host + ": cannot read " + m_dir + "/lock: " + trim(r.err));
    std::string out = trim(r.out);
    if (!starts_with(out, "held")) return {false, std::nullopt};
    LockState s{true, std::nullopt};
    auto j = nlohmann::json::parse(trim(out.substr(4)), nullptr, false);
    if (!j.is_discarded() && j.is_object()) s.holder = LockInfo::from_json(j);
    return s;
}

std::string lock_held_message(const std::string& host, const LockState& s) {
    std::string who = s.holder ? s.holder->describe() : "a hoist run that has not written who it is yet";
    std::string msg = "another deploy holds the lock on " + host + ": " + who;
    if (s.holder && s.holder->stale_here())
        msg += ". That process is gone from this machine: the lock is stale";
    return msg + ". Run 'hoist lock release' to remove it if no deploy is running";
}

}  // namespace hoist::deploy
