#pragma once
/// The build cache: which layer blob an instruction's inputs produced before, and which content
/// digest each context file had at a given size/mtime/inode.
///
/// A layer's key is the sha256 of everything that decides its bytes: the instruction, and for
/// every entry its path, type, mode, owner, link target and content digest. Content digests come
/// from the stat cache when a file's size, mtime and inode are unchanged, so an unchanged rebuild
/// reads no file contents, compresses nothing, and (the blob keeping its digest) uploads nothing.
/// A touched but identical file is re-hashed once and still hits. Both caches live beside the
/// image store under `hoist-build/`; a stale entry whose blob is gone is ignored.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "image/layer_writer.hpp"
#include "oci/image_store.hpp"

namespace hoist::image {

class LayerCache {
public:
    explicit LayerCache(oci::ImageStore& store);

    /// The content digest of `e` (a file entry) if known without reading it.
    std::optional<oci::Digest> known_content(const LayerEntry& e) const;
    /// Hashes a file entry's content now and remembers it.
    oci::Digest hash_content(const LayerEntry& e);
    void remember_content(const LayerEntry& e, const oci::Digest& d);

    /// The cache key of a layer; `contents` index-aligned with `entries` (files only).
    static oci::Digest key(const std::string& instruction, const std::vector<LayerEntry>& entries,
                           const std::vector<oci::Digest>& contents);

    struct Hit {
        oci::Digest diff_id;
        oci::Descriptor blob;
    };
    std::optional<Hit> lookup(const oci::Digest& key) const;
    void store(const oci::Digest& key, const Hit& hit);

    /// The last blob written for instruction slot `slot` and its gzip blocks (for reuse).
    std::optional<PreviousBlob> previous(const oci::Digest& slot) const;
    void remember_blocks(const oci::Digest& slot, const oci::Descriptor& blob, const std::vector<GzipBlock>& blocks);

    /// Writes the stat cache back (atomically). Call once at the end of a build.
    void save();

private:
    struct StatRecord {
        std::int64_t size = 0;
        std::int64_t mtime_ns = 0;
        std::uint64_t inode = 0;
        std::string digest;
    };
    oci::ImageStore& m_store;
    std::string m_dir;
    std::map<std::string, StatRecord> m_stats;
    bool m_dirty = false;
};

}  // namespace hoist::image
