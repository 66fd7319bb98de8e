#pragma once
/// The fleet executor: one long-lived connection per host, work on many hosts at once bounded by
/// `ssh.max_parallel`, results per host as values. A host that fails (unreachable, refused, dropped
/// mid-command) is an outcome with an error; it never stalls or aborts the others, because every
/// SSH operation has a deadline (wait.hpp) and errors never cross from one host's thread to another.
///
/// Why threads and not one event loop: a libssh2 session is driven by one thread at a time either
/// way, and with a bounded pool each host's work is plain sequential code (connect, exec, upload,
/// health check) instead of a state machine per step. At 100 hosts the cost is 64 mostly idle
/// threads (their stacks are touched only a few KB deep); see tests/bench/fanout for the figures.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ssh/connect.hpp"
#include "ssh/error.hpp"
#include "ssh/settings.hpp"

namespace hoist::ssh {

/// What happened on one host.
template <class T>
struct HostOutcome {
    std::string host;
    std::optional<T> value;           ///< set when the work returned
    std::string error;                ///< set when it threw (ssh::Error or anything else)
    std::optional<ErrorKind> kind;    ///< for ssh::Error
    std::chrono::milliseconds duration{0};
    bool ok() const { return value.has_value(); }
};

class Fleet {
public:
    /// Makes the connection to one target (real: Connector::connect; tests: fakes).
    using Factory = std::function<std::unique_ptr<Connection>(const Target&)>;

    Fleet(std::vector<Target> targets, int max_parallel, Factory factory);
    /// Real SSH connections for the pipeline's hosts. Problems with ssh_config go to `warn`.
    static std::unique_ptr<Fleet> connect(const Settings& settings, Warn warn);
    ~Fleet();

    const std::vector<Target>& targets() const { return m_targets; }
    int max_parallel() const { return m_max_parallel; }

    /// The host's connection, made on first use. Throws ssh::Error (or std::out_of_range for a
    /// name that is not a target).
    Connection& connection(const std::string& host);

    /// Runs `work(host, connection)` on each host (all when `hosts` is empty), at most max_parallel
    /// at once, connecting first where needed. Outcomes come back in target order.
    template <class T>
    std::vector<HostOutcome<T>> each(const std::function<T(const std::string&, Connection&)>& work,
                                     const std::vector<std::string>& hosts = {}) {
        std::vector<std::size_t> which = select(hosts);
        std::vector<HostOutcome<T>> out(which.size());
        run_parallel(which, [&](std::size_t slot, std::size_t target) {
            auto& o = out[slot];
            o.host = m_targets[target].name;
            auto start = std::chrono::steady_clock::now();
            try {
                o.value = work(o.host, connect_slot(target));
            } catch (const Error& e) {
                o.error = e.what();
                o.kind = e.kind();
            } catch (const std::exception& e) {
                o.error = e.what();
            }
            o.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        });
        return out;
    }

    /// Closes every connection (each says goodbye in parallel, bounded).
    void close_all();

private:
    std::vector<std::size_t> select(const std::vector<std::string>& hosts) const;
    void run_parallel(const std::vector<std::size_t>& which, const std::function<void(std::size_t, std::size_t)>& fn);
    Connection& connect_slot(std::size_t target);

    struct Slot {
        std::mutex mutex;
        std::unique_ptr<Connection> connection;
    };
    std::vector<Target> m_targets;
    int m_max_parallel;
    Factory m_factory;
    std::shared_ptr<Connector> m_connector;  ///< for from_pipeline; outlives the connections
    std::vector<std::unique_ptr<Slot>> m_slots;
};

}  // namespace hoist::ssh
