// `hoist push --from`: a source opened into a push plan (sources.hpp).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "registry/sources.hpp"
#include "util/error.hpp"

namespace hoist::registry {

namespace {
/// An empty file of our own in $TMPDIR (else /tmp), for the daemon's export.
std::string make_temp_file() {
    const char* t = std::getenv("TMPDIR");
    std::string tmpl = std::string(t && *t ? t : "/tmp") + "/hoist-daemon-XXXXXX.tar";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    int fd = mkstemps(buf.data(), 4);
    if (fd < 0) throw Error(ExitCode::build_push, "cannot create a temporary file in " + tmpl);
    ::close(fd);
    return buf.data();
}
}  // namespace

OpenedSource::~OpenedSource() {
    if (!temp_file.empty()) std::remove(temp_file.c_str());
}

std::unique_ptr<OpenedSource> open_source(const std::string& from, oci::ImageStore& cache,
                                          const std::function<void(const std::string&)>& say) {
    auto src = parse_source(from);
    auto opened = std::make_unique<OpenedSource>();
    opened->name = from;
    switch (src.kind) {
        case SourceSpec::Kind::oci_layout:
            opened->layout = std::make_unique<oci::ImageStore>(src.location, false);
            opened->plan = plan_from_layout(*opened->layout, select_in_layout(*opened->layout, src.ref));
            break;
        case SourceSpec::Kind::docker_daemon:
            opened->temp_file = make_temp_file();
            say("exporting " + src.location + " from the Docker Engine");
            save_from_daemon(src.location, "", opened->temp_file);
            opened->plan = plan_from_docker_archive(opened->temp_file, cache);
            break;
        case SourceSpec::Kind::docker_archive:
            opened->plan = plan_from_docker_archive(src.location, cache);
            break;
        case SourceSpec::Kind::store:
            throw usage_error("--from '" + from + "': the local image store is the default source; leave --from out");
    }
    return opened;
}

}  // namespace hoist::registry
