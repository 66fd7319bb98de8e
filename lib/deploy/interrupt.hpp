#pragma once
/// SIGINT/SIGTERM during a deploy: the first signal asks the engine to stop starting new work and to
/// bring the fleet back to a consistent state; sleeps and health checks in progress wake at once.
/// The clean-up itself is not interruptible by a second signal (it says so); a third one ends the
/// process the default way, for a person who really wants out.
#include <atomic>
#include <chrono>
#include <functional>

#include "lb/balancer.hpp"

namespace hoist::deploy {

class Interrupts {
public:
    /// Installs the handlers for the lifetime of this object (one at a time).
    Interrupts();
    ~Interrupts();
    Interrupts(const Interrupts&) = delete;
    Interrupts& operator=(const Interrupts&) = delete;

    /// True once SIGINT or SIGTERM arrived.
    static bool requested();
    /// Which one (SIGINT or SIGTERM), 0 if none.
    static int signal_number();
    /// Sleeps `d`, returning false early when a signal arrives (or has arrived).
    static bool sleep(std::chrono::milliseconds d);
    /// A Sleeper that wakes on signals (for the deploy) ...
    static lb::Sleeper interruptible();
    /// ... and one that does not (for putting things back after an interrupt).
    static lb::Sleeper uninterruptible();
};

/// The engine's clock for waits: interruptible while deploying, not while undoing (putting the
/// fleet back must finish even after Ctrl-C). Drivers get `sleeper()`, which follows the switch.
class Pacer {
public:
    /// `real` sleeps and returns false when interrupted; `requested` says whether a stop was asked.
    explicit Pacer(lb::Sleeper real = Interrupts::interruptible(), std::function<bool()> requested = &Interrupts::requested,
                   lb::Sleeper plain = Interrupts::uninterruptible())
        : m_real(std::move(real)), m_plain(std::move(plain)), m_requested(std::move(requested)) {}
    bool sleep(std::chrono::milliseconds d) { return m_undoing ? m_plain(d) : m_real(d); }
    lb::Sleeper sleeper() {
        return [this](std::chrono::milliseconds d) { return sleep(d); };
    }
    /// True when a stop was asked and we are not undoing yet.
    bool stop_requested() const { return !m_undoing && m_requested(); }
    bool ever_requested() const { return m_requested(); }
    void set_undoing(bool v) { m_undoing = v; }
    bool undoing() const { return m_undoing; }

private:
    lb::Sleeper m_real, m_plain;
    std::function<bool()> m_requested;
    std::atomic<bool> m_undoing{false};
};

}  // namespace hoist::deploy
