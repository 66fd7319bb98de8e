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

oci::Descriptor import_to_store(const PushPlan& plan, oci::ImageStore& store, const std::string& ref) {
    std::vector<BlobResult> results;
    std::vector<char> buf(1 << 20);
    for (std::size_t i = 0; i < plan.blobs.size(); ++i) {
        const BlobSpec& b = plan.blobs[i];
        BlobResult r;
        r.label = b.label;
        if (b.known && store.has_blob(b.known->digest)) {
            r.digest = b.known->digest;
            r.size = b.known->size;
        } else {
            auto stream = b.open();
            auto w = store.begin_blob();
            for (std::size_t n; (n = stream->read(buf.data(), buf.size())) > 0;) w.write(buf.data(), n);
            oci::Descriptor d = w.commit(b.media_type);
            if (b.known && !b.known_is_hint && d.digest != b.known->digest)
                throw Error(ExitCode::build_push, b.label + ": read " + d.digest.str() + ", but the source names " +
                                                      b.known->digest.str() + " (the source is corrupt)");
            r.digest = d.digest;
            r.size = d.size;
            r.action = BlobAction::uploaded;
            r.bytes_sent = d.size;
        }
        if (plan.on_blob) plan.on_blob(i, r);
        results.push_back(std::move(r));
    }
    auto manifests = plan.manifests(results);
    if (manifests.empty()) throw Error(ExitCode::build_push, "the source has no manifest to import");
    oci::Descriptor top;
    for (const auto& m : manifests) top = store.put_blob(m.bytes, m.media_type);
    store.tag(ref, top);
    return top;
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
