#include "oci/tar_index.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>

#include "util/error.hpp"

namespace hoist::oci {

namespace {

/// Metadata members (GNU long names, pax headers) are small; a bigger one is a damaged or hostile
/// archive, not something to allocate.
constexpr std::int64_t max_meta_bytes = 1 << 20;
constexpr std::int64_t max_size = std::numeric_limits<std::int64_t>::max() / 2;

/// A numeric header field: octal digits, or GNU base-256 (first byte 0x80) for sizes of 8 GiB
/// and more. nullopt for a negative base-256 value (0xff first byte) or one past max_size.
std::optional<std::int64_t> number(const char* p, std::size_t n) {
    auto first = static_cast<unsigned char>(p[0]);
    std::int64_t v = 0;
    if (first & 0x80) {
        if (first & 0x40) return std::nullopt;  // negative
        v = first & 0x3f;
        for (std::size_t i = 1; i < n; ++i) {
            if (v > (max_size >> 8)) return std::nullopt;
            v = (v << 8) | static_cast<unsigned char>(p[i]);
        }
        return v;
    }
    for (std::size_t i = 0; i < n && p[i]; ++i)
        if (p[i] >= '0' && p[i] <= '7') v = v * 8 + (p[i] - '0');  // 12 digits: at most 2^36
    return v;
}

/// Digits only, within max_size; nullopt otherwise (a pax "size=-600" or "size=1e9").
std::optional<std::int64_t> decimal(std::string_view s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    std::int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

std::string field(const char* p, std::size_t n) { return std::string(p, strnlen(p, n)); }

std::string normalise(std::string name) {
    while (name.rfind("./", 0) == 0) name = name.substr(2);
    return name;
}

/// pax records: "LEN key=value\n"... A malformed record ends the parse; a bad size is an error.
void parse_pax(const std::string& data, std::string& path, std::int64_t& size, const std::string& where) {
    std::size_t i = 0;
    while (i < data.size()) {
        std::size_t sp = data.find(' ', i);
        if (sp == std::string::npos) break;
        auto len = decimal(std::string_view(data).substr(i, sp - i));
        if (!len || *len <= 0 || static_cast<std::size_t>(*len) > data.size() - i) break;
        std::size_t end = i + static_cast<std::size_t>(*len);  // one past the record's '\n'
        if (sp + 1 >= end || data[end - 1] != '\n') break;
        std::string rec = data.substr(sp + 1, end - sp - 2);
        auto eq = rec.find('=');
        if (eq != std::string::npos) {
            std::string k = rec.substr(0, eq), v = rec.substr(eq + 1);
            if (k == "path") {
                path = v;
            } else if (k == "size") {
                auto n = decimal(v);
                if (!n) throw Error(ExitCode::build_push, where + ": pax size '" + v + "' is not a size");
                size = *n;
            }
        }
        i = end;
    }
}

}  // namespace

std::map<std::string, TarMember> index_tar(const ReadAt& read_at, std::int64_t file_size, const std::string& path) {
    std::map<std::string, TarMember> out;
    std::int64_t pos = 0;
    std::string next_name;
    std::int64_t next_size = -1;
    char h[512];
    auto damaged = [&](const std::string& what) {
        return Error(ExitCode::build_push, path + ": " + what + " in the tar header at byte " + std::to_string(pos));
    };
    while (true) {
        if (!read_at(h, 512, pos)) break;  // end without the two zero blocks: tolerated
        bool zero = true;
        for (char c : h)
            if (c) { zero = false; break; }
        if (zero) break;
        auto header_size = number(h + 124, 12);
        if (!header_size) throw damaged("a negative or oversized size");
        std::int64_t size = *header_size;
        char type = h[156];
        std::int64_t data = pos + 512;
        if (type == 'L' || type == 'x') {
            if (size > max_meta_bytes) throw damaged("an extended header of " + std::to_string(size) + " bytes");
            std::string content(static_cast<std::size_t>(size), '\0');
            if (!read_at(content.data(), content.size(), data)) throw damaged("truncated data");
            if (type == 'L') next_name = content.c_str();
            else parse_pax(content, next_name, next_size, path);
        } else if (type == '0' || type == '\0' || type == '7') {
            std::string name = next_name;
            if (name.empty()) {
                std::string prefix = field(h + 345, 155);
                name = field(h, 100);
                if (!prefix.empty() && std::memcmp(h + 257, "ustar", 5) == 0) name = prefix + "/" + name;
            }
            if (next_size >= 0) size = next_size;
            if (size > file_size - data) throw damaged("a member of " + std::to_string(size) + " bytes past the end of the file");
            out[normalise(name)] = TarMember{data, size};
            next_name.clear();
            next_size = -1;
        } else {
            next_name.clear();
            next_size = -1;
        }
        // size is in [0, max_size]: the next header is always after this one.
        if (size > file_size) throw damaged("a member of " + std::to_string(size) + " bytes past the end of the file");
        pos = data + (size + 511) / 512 * 512;
    }
    return out;
}

std::map<std::string, TarMember> index_tar(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ExitCode::build_push, path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        throw Error(ExitCode::build_push, path + ": " + std::strerror(e));
    }
    auto read_at = [fd](char* buf, std::size_t n, std::int64_t at) {
        std::size_t got = 0;
        while (got < n) {
            ssize_t r = ::pread(fd, buf + got, n - got, at + static_cast<std::int64_t>(got));
            if (r <= 0) return false;
            got += static_cast<std::size_t>(r);
        }
        return true;
    };
    try {
        auto out = index_tar(read_at, st.st_size, path);
        ::close(fd);
        return out;
    } catch (...) {
        ::close(fd);
        throw;
    }
}

std::map<std::string, TarMember> index_tar_bytes(std::string_view bytes, const std::string& name) {
    auto read_at = [bytes](char* buf, std::size_t n, std::int64_t at) {
        if (at < 0 || static_cast<std::size_t>(at) > bytes.size() || n > bytes.size() - static_cast<std::size_t>(at)) return false;
        std::memcpy(buf, bytes.data() + at, n);
        return true;
    };
    return index_tar(read_at, static_cast<std::int64_t>(bytes.size()), name);
}

}  // namespace hoist::oci
