#pragma once
/// Locations in the pipeline file and the diagnostics that point at them.
#include <string>
#include <vector>

namespace hoist::config {

/// Where a value came from: file, 1-based line and column. A default value has line 0.
struct Location {
    std::string file;
    int line = 0;
    int column = 0;
    bool known() const { return line > 0; }
};

enum class Severity { error, warning };

/// One problem found in a pipeline file, printed as `FILE:LINE:COL: message`.
struct Diagnostic {
    Location where;
    std::string message;
    Severity severity = Severity::error;

    std::string format() const;
};

/// Collects every problem of a phase so they are reported together, not one per run.
class Diagnostics {
public:
    void error(const Location& where, std::string message);
    void warning(const Location& where, std::string message);
    bool has_errors() const;
    const std::vector<Diagnostic>& all() const { return m_items; }
    std::size_t error_count() const;
    /// Orders by file position (file, line, column), keeping the order of equal positions.
    void sort();

private:
    std::vector<Diagnostic> m_items;
};

}  // namespace hoist::config
