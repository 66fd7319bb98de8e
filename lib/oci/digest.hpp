#pragma once
/// Content digests ("sha256:<64 hex>") and a streaming SHA-256 that hashes bytes as they pass.
///
/// Every blob hoist moves is named by its digest, so hashing must never cost a second pass over the
/// data: Sha256 is fed the same buffers that are written to disk or sent to the registry.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/sha256.hpp"

namespace hoist::oci {

/// A parsed content digest. Only sha256 is produced; other algorithms are parsed and carried.
struct Digest {
    std::string algorithm;  ///< "sha256"
    std::string hex;        ///< lowercase hex, 64 characters for sha256

    /// "sha256:abc..." form.
    std::string str() const { return algorithm + ":" + hex; }
    bool empty() const { return hex.empty(); }
    bool operator==(const Digest&) const = default;
    auto operator<=>(const Digest&) const = default;

    /// Parses "algorithm:hex"; nullopt when malformed (wrong length, upper case, bad characters).
    static std::optional<Digest> parse(std::string_view s);
    /// Like parse, but throws hoist::Error (exit 5) naming `what` when malformed.
    static Digest must_parse(std::string_view s, std::string_view what);
};

/// Incremental SHA-256 (util/sha256.hpp) that finishes as a Digest. Move-only.
class Sha256 {
public:
    void update(const void* data, std::size_t size) { m_hash.update(data, size); }
    void update(std::string_view s) { m_hash.update(s); }
    /// Finishes the hash; the object is reset and can be reused.
    Digest finish();
    /// Bytes fed since construction or the last finish().
    std::size_t bytes() const { return m_hash.bytes(); }

private:
    hoist::Sha256 m_hash;
};

/// SHA-256 digest of a buffer.
Digest sha256_of(std::string_view data);
/// SHA-256 digest and size of a file, read in large chunks. Throws hoist::Error on I/O failure.
Digest sha256_file(const std::string& path, std::size_t* size = nullptr);

}  // namespace hoist::oci
