#include "build_fleet.hpp"
#include "../fleet_json.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>

#include "../registry/fixture.hpp"
#include "oci/digest.hpp"
#include "util/strings.hpp"

namespace hoist::itest {

using nlohmann::json;

json build_fleet_or_fail() {
    const char* path = ::hoist::itest::fleet_json_path();
    if (!path || !*path) {
        ADD_FAILURE() << "HOIST_FLEET_JSON is not set: the build oracle tests need the test fleet (its registry, base "
                         "image and dockerd). Bring one up with `tests/fleet/fleet up` (as root) and export "
                         "HOIST_FLEET_JSON=<fleet dir>/fleet.json (tests/run-all.sh does both).";
        return nullptr;
    }
    std::ifstream in(path);
    json j = json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("images") || j["images"].is_null() || j["hosts"].empty() ||
        !j["hosts"][0].contains("docker_host")) {
        ADD_FAILURE() << path << ": not a fleet.json of a fleet with a registry, images and docker hosts";
        return nullptr;
    }
    return j;
}

ProcessResult fleet_docker(const json& fleet, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"docker", "-H", fleet["hosts"][0]["docker_host"].get<std::string>()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions o;
    o.env = {{"DOCKER_BUILDKIT", std::string(1, '0')}};
    return run_process(argv, o);
}

void write_build_pipeline(const std::string& dir, const std::string& image, const std::string& context,
                          const std::map<std::string, std::string>& args) {
    std::ofstream y(dir + "/hoist.yml");
    y << "service: oracle\nimage: " << image << "\ntag: t\nregistry: { insecure: true }\nbuild:\n  context: "
      << json(context).dump() << "\n  args:\n";
    for (auto& [k, v] : args) y << "    " << k << ": " << json(v).dump() << "\n";
    if (args.empty()) y << "    {}\n";
    y << "hosts: [127.0.0.1]\n";
}

namespace {
struct ReadFree {
    void operator()(archive* a) const { archive_read_free(a); }
};
}  // namespace

std::string rootfs_listing(const json& fleet, const std::string& image) {
    auto created = fleet_docker(fleet, {"create", image, "/nonexistent"});
    if (created.exit_code != 0) {
        ADD_FAILURE() << "docker create " << image << ": " << created.err;
        return "";
    }
    std::string id = trim(created.out);
    TempDir tmp;
    std::string tar = tmp.path + "/fs.tar";
    auto exported = fleet_docker(fleet, {"export", "-o", tar, id});
    fleet_docker(fleet, {"rm", "-f", id});
    if (exported.exit_code != 0) {
        ADD_FAILURE() << "docker export " << image << ": " << exported.err;
        return "";
    }
    std::unique_ptr<archive, ReadFree> a(archive_read_new());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_filename(a.get(), tar.c_str(), 1 << 16) != ARCHIVE_OK) {
        ADD_FAILURE() << tar << ": " << archive_error_string(a.get());
        return "";
    }
    std::set<std::string> lines;
    archive_entry* e;
    while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
        std::string path = archive_entry_pathname(e);
        while (!path.empty() && path.back() == '/') path.pop_back();
        char head[64];
        auto type = archive_entry_filetype(e);
        std::snprintf(head, sizeof head, " %s %04o %lld:%lld ",
                      type == AE_IFDIR ? "dir" : type == AE_IFLNK ? "link" : type == AE_IFREG ? "file" : "other",
                      unsigned(archive_entry_perm(e)), (long long)archive_entry_uid(e), (long long)archive_entry_gid(e));
        std::string tail;
        if (archive_entry_hardlink(e)) {
            tail = std::string("hardlink->") + archive_entry_hardlink(e);
        } else if (type == AE_IFLNK) {
            tail = std::string("->") + archive_entry_symlink(e);
        } else if (type == AE_IFREG) {
            oci::Sha256 h;
            char buf[65536];
            la_ssize_t n;
            while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) h.update(buf, std::size_t(n));
            tail = h.finish().hex.substr(0, 16);
        }
        lines.insert(path + head + tail);
    }
    std::string out;
    for (auto& l : lines) out += l + "\n";
    return out;
}

json compared_config(const json& fleet, const std::string& image) {
    auto r = fleet_docker(fleet, {"image", "inspect", "--format", "{{json .Config}}", image});
    if (r.exit_code != 0) {
        ADD_FAILURE() << "docker image inspect " << image << ": " << r.err;
        return nullptr;
    }
    json c = json::parse(r.out, nullptr, false);
    json out = json::object();
    for (const char* k : {"Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts", "Labels", "StopSignal",
                          "Healthcheck", "Volumes"}) {
        json v = c.is_object() && c.contains(k) ? c[k] : json();
        if ((v.is_string() || v.is_object() || v.is_array()) && v.empty()) v = nullptr;
        out[k] = v;
    }
    return out;
}

}  // namespace hoist::itest
