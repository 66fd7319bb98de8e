// Image sources: OCI image layouts (the local store and oci:DIR). See sources.hpp.
#include <map>
#include <set>

#include "oci/media_types.hpp"
#include "registry/sources.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::registry {

SourceSpec parse_source(const std::string& from) {
    SourceSpec s;
    auto colon = from.find(':');
    std::string kind = colon == std::string::npos ? from : from.substr(0, colon);
    std::string rest = colon == std::string::npos ? "" : from.substr(colon + 1);
    if (rest.empty()) throw usage_error("--from '" + from + "': expected docker-daemon:IMAGE, docker-archive:FILE or oci:DIR");
    if (kind == "docker-daemon") {
        s.kind = SourceSpec::Kind::docker_daemon;
        s.location = rest;
    } else if (kind == "docker-archive") {
        s.kind = SourceSpec::Kind::docker_archive;
        s.location = rest;
    } else if (kind == "oci") {
        s.kind = SourceSpec::Kind::oci_layout;
        // oci:DIR:REF, like skopeo; a ':' inside DIR is not supported (same as skopeo)
        auto c = rest.find(':');
        s.location = rest.substr(0, c);
        if (c != std::string::npos) s.ref = rest.substr(c + 1);
    } else {
        throw usage_error("--from '" + from + "': unknown transport '" + kind +
                          "' (expected docker-daemon:, docker-archive: or oci:)");
    }
    return s;
}

oci::Descriptor select_in_layout(const oci::ImageStore& layout, const std::string& ref) {
    auto entries = layout.entries();
    if (!ref.empty()) {
        if (auto d = layout.resolve(ref)) return *d;
        std::vector<std::string> names;
        for (auto& e : entries)
            if (auto it = e.annotations.find(oci::ref_name_annotation); it != e.annotations.end()) names.push_back(it->second);
        throw Error(ExitCode::build_push, layout.dir() + ": no image named '" + ref + "'" +
                                              (names.empty() ? "" : " (it has: " + join(names, ", ") + ")"));
    }
    if (entries.size() != 1)
        throw Error(ExitCode::build_push, layout.dir() + ": holds " + std::to_string(entries.size()) +
                                              " images; name one with oci:DIR:REF");
    return entries[0];
}

PushPlan plan_from_layout(const oci::ImageStore& layout, const oci::Descriptor& top) {
    PushPlan plan;
    std::vector<ManifestToPush> manifests;
    std::set<oci::Digest> seen;
    const std::string dir = layout.dir();
    auto add_blob = [&](const oci::Descriptor& d, const std::string& label) {
        if (!seen.insert(d.digest).second) return;
        if (!layout.has_blob(d.digest))
            throw Error(ExitCode::build_push, dir + ": " + label + " " + d.digest.str() + " is missing from the layout");
        BlobSpec b;
        b.label = label;
        b.media_type = d.media_type;
        b.known = d;
        std::string path = layout.blob_path(d.digest);
        b.open = [path, size = d.size]() { return std::make_unique<oci::FileRangeStream>(path, 0, size); };
        plan.blobs.push_back(std::move(b));
    };
    auto add_manifest = [&](const oci::Descriptor& d, const std::string& prefix) {
        std::string bytes = layout.read_blob(d.digest);
        oci::Manifest m = oci::parse_manifest(bytes, dir + ": manifest " + d.digest.str());
        add_blob(m.config, prefix + "config");
        for (std::size_t i = 0; i < m.layers.size(); ++i)
            add_blob(m.layers[i], prefix + "layer " + std::to_string(i + 1) + "/" + std::to_string(m.layers.size()));
        return ManifestToPush{d.digest.str(), bytes, d.media_type.empty() ? m.media_type : d.media_type};
    };
    std::string top_bytes = layout.read_blob(top.digest);
    std::string top_type = oci::declared_media_type(top_bytes, top.media_type);
    if (oci::media::is_index(top_type)) {
        oci::Index index = oci::parse_index(top_bytes, dir + ": index " + top.digest.str());
        for (auto& child : index.manifests) {
            if (!oci::media::is_manifest(child.media_type))
                throw Error(ExitCode::build_push, dir + ": nested index " + child.digest.str() + " is not supported");
            std::string prefix = child.platform ? child.platform->str() + " " : "";
            manifests.push_back(add_manifest(child, prefix));
        }
        manifests.push_back(ManifestToPush{"", top_bytes, top_type});
    } else {
        ManifestToPush m = add_manifest(top, "");
        m.media_type = top_type;
        manifests.push_back(m);
    }
    plan.expected_digest = top.digest;
    plan.manifests = [manifests](const std::vector<BlobResult>&) { return manifests; };
    return plan;
}

}  // namespace hoist::registry
