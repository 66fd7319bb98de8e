#pragma once
/// A value that must never reach logs, plans, JSON output or command lines.
///
/// Its bytes are wiped when it is destroyed, overwritten or moved from, so a secret does not
/// linger in freed memory for a core dump (hoist disables those too, see util/harden.hpp) or a
/// later heap read. Best effort: copies made before it became a Secret are not covered.
#include <string.h>

#include <ostream>
#include <string>

namespace hoist {

class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : m_value(std::move(value)) {}
    Secret(const Secret&) = default;
    Secret(Secret&& other) noexcept : m_value(std::move(other.m_value)) { other.wipe(); }
    Secret& operator=(const Secret& other) {
        if (this != &other) {
            wipe();
            m_value = other.m_value;
        }
        return *this;
    }
    Secret& operator=(Secret&& other) noexcept {
        if (this != &other) {
            wipe();
            m_value = std::move(other.m_value);
            other.wipe();
        }
        return *this;
    }
    ~Secret() { wipe(); }

    /// The only way to the real value; grep for it to audit where secrets flow.
    const std::string& reveal() const { return m_value; }
    bool empty() const { return m_value.empty(); }
    /// What is printed in its place.
    static constexpr const char* mask = "***";

private:
    /// Zeroes the whole buffer (the short-string buffer keeps a moved value's bytes otherwise);
    /// explicit_bzero is not optimised away as a dead store.
    void wipe() noexcept {
        explicit_bzero(m_value.data(), m_value.capacity());
        m_value.clear();
    }
    std::string m_value;
};

inline std::ostream& operator<<(std::ostream& os, const Secret&) { return os << Secret::mask; }

}  // namespace hoist
