#pragma once
/// Writing one image layer: a reproducible tar (libarchive, PAX where needed) gzip-compressed on
/// both cores, streamed into the image store while both digests are computed in the same pass.
///
/// Reproducibility is the caller's list plus this writer's fixed choices: entries are written in
/// the given order (the builder sorts them), every mtime is `mtime` (SOURCE_DATE_EPOCH or 0), no
/// user/group names, no atime/ctime, and gzip with a fixed level, block size and header.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "image/parallel_gzip.hpp"
#include "oci/digest.hpp"
#include "oci/image_store.hpp"
#include "oci/manifest.hpp"

namespace hoist::image {

enum class EntryType { file, dir, symlink };

/// One member of a layer tar.
struct LayerEntry {
    std::string path;  ///< relative to the root: "app/bin/x"; no leading or trailing '/'
    EntryType type = EntryType::file;
    std::uint32_t mode = 0644;  ///< permission bits, including setuid/setgid/sticky
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::int64_t size = 0;  ///< files only
    std::string source;     ///< files: read from this path at write time (unless `content` is set)
    std::shared_ptr<const std::string> content;  ///< files: inline bytes (members of an ADDed tar)
    std::string link;       ///< symlinks: the target
    std::int64_t source_mtime_ns = 0;  ///< stat of `source`, for the layer cache (not written)
    std::uint64_t source_inode = 0;
};

struct WrittenLayer {
    oci::Digest diff_id;   ///< sha256 of the uncompressed tar
    oci::Descriptor blob;  ///< the gzip blob in the store
    std::int64_t tar_size = 0;
    /// sha256 of each file entry's bytes, index-aligned with the entries (empty for non-files);
    /// the layer cache keeps them so a later build need not re-read unchanged files.
    std::vector<oci::Digest> contents;
    std::vector<GzipBlock> blocks;  ///< the blob's gzip members, for reuse by the next build
    std::size_t reused_blocks = 0;
};

struct LayerWriteOptions {
    std::int64_t mtime = 0;
    /// Content digests already known (index-aligned, empty = unknown): those files are not hashed again.
    const std::vector<oci::Digest>* known_contents = nullptr;
    /// The previous blob of the same instruction: unchanged blocks are copied, not compressed.
    const PreviousBlob* previous = nullptr;
};

/// Writes `entries` as one gzip layer blob into `store` and records its diff ID mapping.
/// Throws hoist::Error (exit 5) naming the file when reading fails or a file changed size.
WrittenLayer write_layer(const std::vector<LayerEntry>& entries, oci::ImageStore& store, const LayerWriteOptions& options);

}  // namespace hoist::image
