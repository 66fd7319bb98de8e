#include "ssh/known_hosts.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <tuple>

#include "ssh/crypto.hpp"
#include "ssh/error.hpp"
#include "ssh/pattern.hpp"

namespace hoist::ssh {

namespace {

std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string read_all(const std::string& path, bool& missing) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        missing = errno == ENOENT || errno == ENOTDIR;
        if (!missing) throw Error(ErrorKind::host_key, "cannot read known_hosts " + path + ": " + std::strerror(errno));
        return "";
    }
    missing = false;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

KnownHosts KnownHosts::parse(const std::string& text, const std::string& file) {
    KnownHosts kh;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        auto w = words(line);
        if (w.empty() || w[0][0] == '#') continue;
        KnownHostEntry e;
        e.line = n;
        std::size_t i = 0;
        if (w[0][0] == '@') {
            e.marker = w[i++];
            // OpenSSH knows exactly these two (case matters) and skips a line with any other:
            // `@REVOKED` or a typo must not turn a revocation into trust.
            if (e.marker != "@revoked" && e.marker != "@cert-authority") {
                kh.m_problems.push_back(file + ":" + std::to_string(n) + ": unknown marker " + e.marker + ", line ignored");
                continue;
            }
        }
        if (w.size() < i + 3) {
            // "host keytype key" is the minimum; lines of the old SSH1 format (bits e n) land here too
            kh.m_problems.push_back(file + ":" + std::to_string(n) + ": not a known_hosts line, ignored");
            continue;
        }
        e.hosts = w[i];
        e.key_type = w[i + 1];
        auto blob = base64_decode(w[i + 2]);
        if (!blob || key_type_of_blob(*blob) != e.key_type) {
            kh.m_problems.push_back(file + ":" + std::to_string(n) + ": key does not decode as " + e.key_type +
                                    ", ignored");
            continue;
        }
        e.key_blob = *blob;
        kh.m_entries.push_back(std::move(e));
    }
    return kh;
}

KnownHosts KnownHosts::load(const std::string& path) {
    bool missing = false;
    std::string text = read_all(path, missing);
    return parse(text, path);
}

std::shared_ptr<const KnownHosts> KnownHosts::load_shared(const std::string& path) {
    using Identity = std::tuple<dev_t, ino_t, off_t, long long>;  // device, inode, size, mtime ns
    struct Cached {
        Identity identity;
        std::shared_ptr<const KnownHosts> hosts;
    };
    static std::mutex mutex;
    static std::map<std::string, Cached> cache;
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return std::make_shared<const KnownHosts>(load(path));  // missing: empty
    Identity id{st.st_dev, st.st_ino, st.st_size,
                static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
    {
        std::lock_guard lock(mutex);
        auto it = cache.find(path);
        if (it != cache.end() && it->second.identity == id) return it->second.hosts;
    }
    // Parsed outside the lock; two threads may both parse a new version, and either result is right.
    auto parsed = std::make_shared<const KnownHosts>(load(path));
    struct stat after{};
    // Cached only when the file did not change while it was read (a concurrent append).
    if (::stat(path.c_str(), &after) == 0 && after.st_ino == st.st_ino && after.st_size == st.st_size &&
        after.st_mtim.tv_sec == st.st_mtim.tv_sec && after.st_mtim.tv_nsec == st.st_mtim.tv_nsec) {
        std::lock_guard lock(mutex);
        cache[path] = Cached{id, parsed};
    }
    return parsed;
}

std::string KnownHosts::lookup_name(const std::string& host, int port) {
    std::string h = lower(host);
    return port == 22 ? h : "[" + h + "]:" + std::to_string(port);
}

bool KnownHosts::field_matches(const std::string& field, const std::string& name) {
    if (field.rfind("|1|", 0) == 0) {
        // |1|base64(salt)|base64(HMAC-SHA1(key=salt, data=name))
        auto bar = field.find('|', 3);
        if (bar == std::string::npos) return false;
        auto salt = base64_decode(field.substr(3, bar - 3));
        auto mac = base64_decode(field.substr(bar + 1));
        if (!salt || !mac) return false;
        return hmac_sha1(*salt, name) == *mac;
    }
    return match_pattern_list(split_patterns(field, ','), name);
}

std::string KnownHosts::make_line(const std::string& host, int port, const std::string& key_type,
                                  const std::string& key_blob, bool hashed) {
    std::string name = lookup_name(host, port);
    std::string field = name;
    if (hashed) {
        std::string salt = random_bytes(20);
        field = "|1|" + base64_encode(salt) + "|" + base64_encode(hmac_sha1(salt, name));
    }
    return field + " " + key_type + " " + base64_encode(key_blob);
}

HostKeyMatch KnownHosts::check(const std::string& host, int port, const std::string& key_blob) const {
    std::string name = lookup_name(host, port);
    HostKeyMatch m;
    bool trusted = false;
    for (const auto& e : m_entries) {
        if (!field_matches(e.hosts, name)) continue;
        if (e.marker == "@cert-authority") {
            m.ca_lines.push_back(e.line);
            continue;
        }
        if (e.marker == "@revoked") {
            if (e.key_blob == key_blob) return {HostKeyStatus::revoked, {e.line}, {}};
            continue;
        }
        if (e.key_blob == key_blob) trusted = true;
        else m.lines.push_back(e.line);
    }
    // The `*`-wildcard @revoked lines also apply to every host: checked above for lines naming the host.
    if (trusted) return {HostKeyStatus::trusted, {}, {}};
    m.status = m.lines.empty() ? HostKeyStatus::unknown : HostKeyStatus::changed;
    return m;
}

std::vector<std::string> KnownHosts::key_types_for(const std::string& host, int port) const {
    std::string name = lookup_name(host, port);
    std::vector<std::string> out;
    for (const auto& e : m_entries) {
        if (!e.marker.empty() || !field_matches(e.hosts, name)) continue;
        bool seen = false;
        for (auto& t : out) seen = seen || t == e.key_type;
        if (!seen) out.push_back(e.key_type);
    }
    return out;
}

bool KnownHosts::any_hashed() const {
    for (const auto& e : m_entries)
        if (e.hosts.rfind("|1|", 0) == 0) return true;
    return false;
}

void append_known_host(const std::string& path, const std::string& line, const std::string& host, int port,
                       const std::string& key_blob) {
    auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) ::mkdir(path.substr(0, slash).c_str(), 0700);
    int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw Error(ErrorKind::host_key, "cannot open " + path + " to add a host key: " + std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (::flock(fd, LOCK_EX) != 0)
        throw Error(ErrorKind::host_key, "cannot lock " + path + ": " + std::strerror(errno));
    // Under the lock: read what is there now (another run may have added the key meanwhile).
    std::string text;
    char buf[65536];
    ssize_t n;
    ::lseek(fd, 0, SEEK_SET);
    while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    if (KnownHosts::parse(text, path).check(host, port, key_blob).status == HostKeyStatus::trusted) return;
    std::string out = (!text.empty() && text.back() != '\n' ? "\n" : "") + line + "\n";
    if (::write(fd, out.data(), out.size()) != static_cast<ssize_t>(out.size()))
        throw Error(ErrorKind::host_key, "cannot append to " + path + ": " + std::strerror(errno));
    ::fsync(fd);
}

}  // namespace hoist::ssh
