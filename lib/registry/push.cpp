#include "registry/push.hpp"

#include <set>

#include "registry/blob_uploads.hpp"
#include "registry/challenge.hpp"

namespace hoist::registry {

PushOutcome push_image(Client& client, const std::string& tag, PushPlan plan, PushObserver& observer,
                       const MountHints* hints) {
    std::set<std::string> sources;
    if (hints)
        for (auto& b : plan.blobs)
            if (b.known && b.mount_from.empty()) {
                std::string repo = hints->lookup(b.known->digest);
                if (!repo.empty() && repo != client.repository()) {
                    b.mount_from = repo;
                    sources.insert(repo);
                }
            }
    client.auth().set_scopes(push_scopes(client.repository(), {sources.begin(), sources.end()}));
    client.probe();

    PushOutcome out;
    if (plan.expected_digest) {
        auto have = client.head_manifest(tag);
        if (have && *have == *plan.expected_digest) {
            out.digest = *have;
            out.up_to_date = true;
            return out;
        }
    }
    out.blobs = upload_blobs(client, std::move(plan.blobs), observer);
    for (std::size_t i = 0; i < out.blobs.size(); ++i) {
        out.bytes_sent += out.blobs[i].bytes_sent;
        if (plan.on_blob) plan.on_blob(i, out.blobs[i]);
        if (hints) hints->record(out.blobs[i].digest, client.repository());
    }
    auto manifests = plan.manifests(out.blobs);
    for (std::size_t i = 0; i < manifests.size(); ++i) {
        const auto& m = manifests[i];
        std::string ref = i + 1 == manifests.size() ? tag : m.ref;  // the last one is the tagged one
        oci::Digest d = client.put_manifest(ref, m.bytes, m.media_type);
        observer.manifest_pushed(ref, d, m.media_type);
        out.digest = d;
        out.media_type = m.media_type;
    }
    return out;
}

}  // namespace hoist::registry
