#include "config/diagnostic.hpp"

#include <algorithm>

namespace hoist::config {

std::string Diagnostic::format() const {
    std::string out = where.file;
    if (where.known()) out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
    out += ": ";
    if (severity == Severity::warning) out += "warning: ";
    out += message;
    return out;
}

void Diagnostics::error(const Location& where, std::string message) {
    m_items.push_back({where, std::move(message), Severity::error});
}

void Diagnostics::warning(const Location& where, std::string message) {
    m_items.push_back({where, std::move(message), Severity::warning});
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
    return std::count_if(m_items.begin(), m_items.end(),
                         [](const Diagnostic& d) { return d.severity == Severity::error; });
}

void Diagnostics::sort() {
    std::stable_sort(m_items.begin(), m_items.end(), [](const Diagnostic& a, const Diagnostic& b) {
        if (a.where.file != b.where.file) return a.where.file < b.where.file;
        if (a.where.line != b.where.line) return a.where.line < b.where.line;
        return a.where.column < b.where.column;
    });
}

}  // namespace hoist::config
