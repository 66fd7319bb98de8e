#include "ssh/fleet.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>

#include "ssh/targets.hpp"

namespace hoist::ssh {

Fleet::Fleet(std::vector<Target> targets, int max_parallel, Factory factory)
    : m_targets(std::move(targets)), m_max_parallel(max_parallel < 1 ? 1 : max_parallel), m_factory(std::move(factory)) {
    for (std::size_t i = 0; i < m_targets.size(); ++i) m_slots.push_back(std::make_unique<Slot>());
}

std::unique_ptr<Fleet> Fleet::connect(const Settings& p, Warn warn) {
    TargetPlan plan = make_targets(p);
    if (warn)
        for (const auto& problem : plan.problems) warn(problem);
    auto connector = std::make_shared<Connector>(make_connect_options(p, warn));
    auto fleet = std::make_unique<Fleet>(std::move(plan.targets), p.max_parallel,
                                         [c = connector.get()](const Target& t) { return c->connect(t); });
    fleet->m_connector = std::move(connector);
    return fleet;
}

Fleet::~Fleet() { close_all(); }

void Fleet::close_all() {
    std::vector<std::size_t> all;
    for (std::size_t i = 0; i < m_slots.size(); ++i)
        if (m_slots[i]->connection) all.push_back(i);
    run_parallel(all, [&](std::size_t, std::size_t t) {
        std::lock_guard<std::mutex> lock(m_slots[t]->mutex);
        m_slots[t]->connection.reset();
    });
}

std::vector<std::size_t> Fleet::select(const std::vector<std::string>& hosts) const {
    std::vector<std::size_t> out;
    if (hosts.empty()) {
        for (std::size_t i = 0; i < m_targets.size(); ++i) out.push_back(i);
        return out;
    }
    for (const auto& h : hosts) {
        bool found = false;
        for (std::size_t i = 0; i < m_targets.size(); ++i)
            if (m_targets[i].name == h) {
                out.push_back(i);
                found = true;
            }
        if (!found) throw std::out_of_range("'" + h + "' is not a host of this pipeline");
    }
    return out;
}

void Fleet::run_parallel(const std::vector<std::size_t>& which, const std::function<void(std::size_t, std::size_t)>& fn) {
    std::size_t n = which.size();
    if (n == 0) return;
    std::size_t workers = std::min<std::size_t>(n, static_cast<std::size_t>(m_max_parallel));
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < n;) fn(i, which[i]);
    };
    if (workers == 1) {
        worker();
        return;
    }
    std::vector<std::thread> threads;
    threads.reserve(workers - 1);
    for (std::size_t i = 1; i < workers; ++i) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
}

Connection& Fleet::connect_slot(std::size_t t) {
    Slot& s = *m_slots[t];
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.connection) s.connection = m_factory(m_targets[t]);
    return *s.connection;
}

Connection& Fleet::connection(const std::string& host) {
    return connect_slot(select({host}).at(0));
}

}  // namespace hoist::ssh
