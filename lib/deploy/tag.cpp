#include "deploy/tag.hpp"

#include <ctime>
#include <filesystem>

#include "util/error.hpp"
#include "util/names.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

void check_tag(const std::string& tag, const std::string& where) {
    // A tag names the container and its env file on every host: `../x` would be a path.
    if (!valid_tag(tag)) throw usage_error(where + " '" + tag + "': a tag must be " + tag_rule);
}

std::string resolve_tag(const config::Pipeline& p, const std::string& override_tag) {
    if (!override_tag.empty()) {
        check_tag(override_tag, "--tag");
        return override_tag;
    }
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
