#pragma once
/// Pushing one image: blobs in parallel, then manifests, in an order that never leaves a tag
/// pointing at something incomplete.
///
/// A PushPlan is what an image source (layout, docker-archive, daemon) turns into: the blobs to
/// upload and a function that, given what the uploads produced (digests of layers compressed on
/// the fly), returns the manifests to PUT, children before the tagged one. When the tagged
/// manifest's digest is known in advance, a manifest HEAD first makes an unchanged re-push a
/// single round trip.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "registry/blob_upload.hpp"
#include "registry/client.hpp"
#include "registry/mount_hints.hpp"
#include "registry/progress.hpp"

namespace hoist::registry {

struct ManifestToPush {
    std::string ref;  ///< tag for the last one, digest for children of an index
    std::string bytes;
    std::string media_type;
};

struct PushPlan {
    std::vector<BlobSpec> blobs;
    /// Manifests to PUT in order (the last is tagged), from the upload results (same order as blobs).
    std::function<std::vector<ManifestToPush>(const std::vector<BlobResult>&)> manifests;
    /// The tagged manifest's digest when known before uploading.
    std::optional<oci::Digest> expected_digest;
    /// Called with each upload result (e.g. to remember a compressed layer's digest).
    std::function<void(std::size_t index, const BlobResult&)> on_blob;
};

struct PushOutcome {
    oci::Digest digest;           ///< of the tagged manifest
    std::string media_type;
    bool up_to_date = false;      ///< the registry already had it under the tag: nothing sent
    std::vector<BlobResult> blobs;
    std::int64_t bytes_sent = 0;  ///< blob body bytes, all attempts
};

/// Pushes `plan` to `tag` of the client's repository. `hints` (optional) supplies and records
/// cross-repository mount sources. Throws hoist::Error (exit 5) on failure.
PushOutcome push_image(Client& client, const std::string& tag, PushPlan plan, PushObserver& observer,
                       const MountHints* hints);

}  // namespace hoist::registry
