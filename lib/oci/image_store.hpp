#pragma once
/// The local image store ("layer cache"): where `hoist build` writes images and `hoist push` reads
/// them.
///
/// Layout. The store is an OCI image layout directory (image-spec `image-layout.md`), so every
/// OCI tool can read it (`skopeo copy oci:$DIR:REF ...`, `umoci`), and hoist can read any layout a
/// user points it at (`hoist push --from oci:DIR`) with the same code:
///
///     $XDG_CACHE_HOME/hoist/            (default ~/.cache/hoist)
///       oci-layout                      {"imageLayoutVersion":"1.0.0"}
///       index.json                      one entry per tag; the tag is the entry's
///                                       "org.opencontainers.image.ref.name" annotation and is the
///                                       full reference "registry/repo:tag"
///       blobs/sha256/<hex>              manifests, configs, compressed layers, by digest
///       diffids/sha256/<hex>            hoist's addition (allowed by the spec): for an uncompressed
///                                       layer digest (a "diff ID"), the descriptor of its gzip
///                                       form, so a layer compressed once is never compressed again
///                                       just to learn that the registry already has it
///
/// Concurrency. Blobs are written to a temporary file in blobs/ and renamed into place, so a
/// reader never sees a partial blob and two writers of the same content both succeed. index.json
/// is rewritten (write temp + rename) under an exclusive flock on `index.json.lock`, so concurrent
/// builds of different tags do not lose each other's entries.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/digest.hpp"
#include "oci/manifest.hpp"

namespace hoist::oci {

/// The annotation that names a tag in an OCI layout's index.json.
inline constexpr const char* ref_name_annotation = "org.opencontainers.image.ref.name";

/// Streams one blob into the store while hashing it; `commit()` moves it into place.
/// Destroying an uncommitted writer removes its temporary file.
class BlobWriter {
public:
    BlobWriter(std::string blobs_dir);
    ~BlobWriter();
    BlobWriter(BlobWriter&&) noexcept;
    BlobWriter(const BlobWriter&) = delete;
    BlobWriter& operator=(const BlobWriter&) = delete;
    BlobWriter& operator=(BlobWriter&&) = delete;

    void write(const void* data, std::size_t size);
    /// Finishes the blob and returns its digest and size.
    Descriptor commit(std::string media_type);

private:
    std::string m_dir, m_tmp;
    std::FILE* m_file = nullptr;
    Sha256 m_hash;
    std::int64_t m_size = 0;
};

class ImageStore {
public:
    /// $XDG_CACHE_HOME/hoist, else ~/.cache/hoist.
    static std::string default_dir();
    /// Opens the layout at `dir`, creating it when `create` (else throws hoist::Error, exit 5, when
    /// `dir` is not an OCI layout).
    explicit ImageStore(std::string dir, bool create = true);

    const std::string& dir() const { return m_dir; }
    std::string blob_path(const Digest& d) const;
    bool has_blob(const Digest& d) const;
    /// Reads a whole blob (manifests, configs); verifies its digest.
    std::string read_blob(const Digest& d) const;
    /// Stores bytes as a blob; returns its descriptor.
    Descriptor put_blob(std::string_view bytes, std::string media_type);
    BlobWriter begin_blob();

    /// Points `ref` (e.g. "registry.example.com/acme/web:abc123") at a manifest, replacing any
    /// previous entry of that name.
    void tag(const std::string& ref, const Descriptor& manifest);
    /// The index entry for `ref`; nullopt when not tagged.
    std::optional<Descriptor> resolve(const std::string& ref) const;
    /// All entries of index.json.
    std::vector<Descriptor> entries() const;

    /// The gzip blob known for an uncompressed layer digest (see the header essay).
    std::optional<Descriptor> compressed_for(const Digest& diff_id) const;
    void remember_compressed(const Digest& diff_id, const Descriptor& compressed);

private:
    std::string m_dir;
};

/// Writes `data` to `path` atomically (temp file in the same directory, then rename).
void write_file_atomic(const std::string& path, std::string_view data);
/// Reads a whole file; throws hoist::Error (exit 5) naming the path.
std::string read_file(const std::string& path);

}  // namespace hoist::oci
