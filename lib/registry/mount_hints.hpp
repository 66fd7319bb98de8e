#pragma once
/// Which repository of a registry hoist last saw holding a blob, so that a push into another
/// repository of the same registry can ask for a cross-repository mount (no bytes sent) instead
/// of uploading. Kept beside the image store: $cache/registry-blobs/<registry>/<hex> holds the
/// repository name. A stale hint costs one refused mount (the registry answers 202 and the upload
/// proceeds in the session it opened), so the hints need no invalidation.
#include <string>

#include "oci/digest.hpp"

namespace hoist::registry {

class MountHints {
public:
    /// `cache_dir`: the image store's directory; `registry`: host[:port].
    MountHints(std::string cache_dir, const std::string& registry);
    /// The repository believed to hold `digest`, or "".
    std::string lookup(const oci::Digest& digest) const;
    /// Remembers that `repository` holds `digest` (best effort: failures are ignored).
    void record(const oci::Digest& digest, const std::string& repository) const;

private:
    std::string m_dir;
};

}  // namespace hoist::registry
