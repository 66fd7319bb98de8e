#include "oci/tar_index.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.hpp"

namespace hoist::oci {

namespace {
std::int64_t octal(const char* p, std::size_t n) {
    if (static_cast<unsigned char>(p[0]) & 0x80) {  // GNU base-256 for sizes >= 8 GiB
        std::int64_t v = 0;
        for (std::size_t i = 1; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
        return v;
    }
    std::int64_t v = 0;
    for (std::size_t i = 0; i < n && p[i]; ++i)
        if (p[i] >= '0' && p[i] <= '7') v = v * 8 + (p[i] - '0');
    return v;
}

std::string field(const char* p, std::size_t n) { return std::string(p, strnlen(p, n)); }

std::string normalise(std::string name) {
    while (name.rfind("./", 0) == 0) name = name.substr(2);
    return name;
}

/// pax records: "LEN key=value\n"...
void parse_pax(const std::string& data, std::string& path, std::int64_t& size) {
    std::size_t i = 0;
    while (i < data.size()) {
        std::size_t sp = data.find(' ', i);
        if (sp == std::string::npos) break;
        long len = std::atol(data.c_str() + i);
        if (len <= 0 || i + static_cast<std::size_t>(len) > data.size()) break;
        std::string rec = data.substr(sp + 1, i + len - sp - 2);
        auto eq = rec.find('=');
        if (eq != std::string::npos) {
            std::string k = rec.substr(0, eq), v = rec.substr(eq + 1);
            if (k == "path") path = v;
            else if (k == "size") size = std::atoll(v.c_str());
        }
        i += len;
    }
}
}  // namespace

std::map<std::string, TarMember> index_tar(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ExitCode::build_push, path + ": " + std::strerror(errno));
    std::map<std::string, TarMember> out;
    std::int64_t pos = 0;
    std::string next_name;
    std::int64_t next_size = -1;
    char h[512];
    auto read_at = [&](char* buf, std::size_t n, std::int64_t at) {
        std::size_t got = 0;
        while (got < n) {
            ssize_t r = ::pread(fd, buf + got, n - got, at + static_cast<std::int64_t>(got));
            if (r <= 0) return false;
            got += static_cast<std::size_t>(r);
        }
        return true;
    };
    try {
        while (true) {
            if (!read_at(h, 512, pos)) break;  // end without the two zero blocks: tolerated
            bool zero = true;
            for (char c : h)
                if (c) { zero = false; break; }
            if (zero) break;
            std::int64_t size = octal(h + 124, 12);
            char type = h[156];
            std::int64_t data = pos + 512;
            std::int64_t next = data + (size + 511) / 512 * 512;
            if (type == 'L' || type == 'x') {
                std::string content(static_cast<std::size_t>(size), '\0');
                if (!read_at(content.data(), content.size(), data))
                    throw Error(ExitCode::build_push, path + ": truncated tar header at byte " + std::to_string(pos));
                if (type == 'L') next_name = content.c_str();
                else parse_pax(content, next_name, next_size);
            } else if (type == '0' || type == '\0' || type == '7') {
                std::string name = next_name;
                if (name.empty()) {
                    std::string prefix = field(h + 345, 155);
                    name = field(h, 100);
                    if (!prefix.empty() && std::memcmp(h + 257, "ustar", 5) == 0) name = prefix + "/" + name;
                }
                if (next_size >= 0) {
                    size = next_size;
                    next = data + (size + 511) / 512 * 512;
                }
                out[normalise(name)] = TarMember{data, size};
                next_name.clear();
                next_size = -1;
            } else {
                next_name.clear();
                next_size = -1;
            }
            pos = next;
        }
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    return out;
}

}  // namespace hoist::oci
