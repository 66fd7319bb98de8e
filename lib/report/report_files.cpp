#include "report/report_files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "report/github.hpp"
#include "report/junit.hpp"

namespace hoist::report {

namespace fs = std::filesystem;

const std::vector<std::string>& report_kinds() {
    static const std::vector<std::string> kinds = {"json", "junit", "markdown"};
    return kinds;
}

ReportSpec parse_report_spec(const std::string& text) {
    auto eq = text.find('=');
    if (eq == std::string::npos) return {text, ""};
    return {text.substr(0, eq), text.substr(eq + 1)};
}

std::string check_report_spec(const std::string& text) {
    ReportSpec r = parse_report_spec(text);
    std::string kinds;
    for (const auto& k : report_kinds()) kinds += (kinds.empty() ? "" : ", ") + k;
    bool known = false;
    for (const auto& k : report_kinds()) known = known || k == r.kind;
    if (!known) return "'" + text + "': expected KIND=FILE with KIND one of " + kinds;
    if (r.path.empty()) return "'" + text + "': no file after '='";
    fs::path dir = fs::path(r.path).parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return "'" + text + "': directory " + dir.string() + " does not exist";
    if (::access(dir.c_str(), W_OK) != 0) return "'" + text + "': cannot write in " + dir.string();
    return "";
}

std::string render_report(const std::string& kind, const nlohmann::json& summary) {
    if (kind == "json") return summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (kind == "junit") return render_junit(summary);
    if (kind == "markdown") return github::render_step_summary(summary);
    throw std::invalid_argument("unknown report kind '" + kind + "'");
}

void write_file_atomically(const std::string& path, const std::string& content) {
    // A new file of a name nobody can predict (mkstemp: O_CREAT|O_EXCL), so a symlink planted at
    // the temporary name in a shared directory cannot redirect the write.
    std::string tmp = path + ".tmp-XXXXXX";
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file beside " + path + ": " + std::strerror(errno));
    mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);  // what an ordinary create gives, not mkstemp's 0600
    std::size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = errno;
            ::close(fd);
            std::remove(tmp.c_str());
            throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(e));
        }
        done += std::size_t(n);
    }
    if (::close(fd) != 0) {
        int e = errno;
        std::remove(tmp.c_str());
        throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(e));
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw std::runtime_error("cannot write " + path + ": " + ec.message());
    }
}

void append_to_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error("cannot append to " + path + ": " + std::strerror(errno));
}

}  // namespace hoist::report
