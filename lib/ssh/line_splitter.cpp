#include "ssh/connection.hpp"

namespace hoist::ssh {

void LineSplitter::feed(Stream stream, std::string_view chunk) {
    std::string& pending = m_pending[stream == Stream::out ? 0 : 1];
    pending.append(chunk);
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string_view line(pending.data() + start, nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        m_sink(stream, line);
    }
    pending.erase(0, start);
}

void LineSplitter::flush() {
    for (int i = 0; i < 2; ++i) {
        if (m_pending[i].empty()) continue;
        m_sink(i == 0 ? Stream::out : Stream::err, m_pending[i]);
        m_pending[i].clear();
    }
}

}  // namespace hoist::ssh
