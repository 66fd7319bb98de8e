#include "oci/digest.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "util/error.hpp"
#include "util/sha256.hpp"

namespace hoist::oci {

namespace {
bool is_lower_hex(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return !s.empty();
}
}  // namespace

std::optional<Digest> Digest::parse(std::string_view s) {
    auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    Digest d{std::string(s.substr(0, colon)), std::string(s.substr(colon + 1))};
    for (char c : d.algorithm)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '_' || c == '-'))
            return std::nullopt;
    if (!is_lower_hex(d.hex)) return std::nullopt;
    if (d.algorithm == "sha256" && d.hex.size() != 64) return std::nullopt;
    if (d.algorithm == "sha512" && d.hex.size() != 128) return std::nullopt;
    return d;
}

Digest Digest::must_parse(std::string_view s, std::string_view what) {
    auto d = parse(s);
    if (!d) throw Error(ExitCode::build_push, std::string(what) + ": malformed digest '" + std::string(s) + "'");
    return *d;
}

Digest Sha256::finish() { return Digest{"sha256", to_hex(m_hash.finish())}; }

Digest sha256_of(std::string_view data) {
    return Digest{"sha256", sha256_hex(data)};
}

Digest sha256_file(const std::string& path, std::size_t* size) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw Error(ExitCode::build_push, path + ": " + std::strerror(errno));
    Sha256 h;
    std::vector<char> buf(1 << 20);
    std::size_t n, total = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
        h.update(buf.data(), n);
        total += n;
    }
    bool bad = std::ferror(f);
    std::fclose(f);
    if (bad) throw Error(ExitCode::build_push, path + ": read error");
    if (size) *size = total;
    return h.finish();
}

}  // namespace hoist::oci
