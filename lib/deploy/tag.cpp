#include "deploy/tag.hpp"

#include <ctime>
#include <filesystem>

#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

std::string resolve_tag(const config::Pipeline& p, const std::string& override_tag) {
    if (!override_tag.empty()) return override_tag;
    if (!p.tag.empty()) return p.tag;
    std::filesystem::path context = p.directory;
    if (p.build) context /= p.build->context;
    ProcessOptions o;
    o.cwd = context.string();
    o.timeout = std::chrono::seconds(30);
    auto r = run_process({"git", "rev-parse", "--short=12", "HEAD"}, o);
    std::string sha = trim(r.out);
    if (r.exit_code == 0 && !sha.empty()) return sha;
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[20];
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
    return buf;
}

}  // namespace hoist::deploy
