#pragma once
/// A value that must never reach logs, plans, JSON output or command lines.
#include <ostream>
#include <string>

namespace hoist {

class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : m_value(std::move(value)) {}
    /// The only way to the real value; grep for it to audit where secrets flow.
    const std::string& reveal() const { return m_value; }
    bool empty() const { return m_value.empty(); }
    /// What is printed in its place.
    static constexpr const char* mask = "***";

private:
    std::string m_value;
};

inline std::ostream& operator<<(std::ostream& os, const Secret&) { return os << Secret::mask; }

}  // namespace hoist
