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

/// Incremental SHA-256 over OpenSSL's EVP interface. Move-only.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, std::size_t size);
    void update(std::string_view s) { update(s.data(), s.size()); }
    /// Finishes the hash; the object is reset and can be reused.
    Digest finish();
    /// Bytes fed since construction or the last finish().
    std::size_t bytes() const { return m_bytes; }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::size_t m_bytes = 0;
};

/// SHA-256 digest of a buffer.
Digest sha256_of(std::string_view data);
/// SHA-256 digest and size of a file, read in large chunks. Throws hoist::Error on I/O failure.
Digest sha256_file(const std::string& path, std::size_t* size = nullptr);

}  // namespace hoist::oci
