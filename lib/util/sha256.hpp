#pragma once
/// SHA-256 (streaming and of a buffer), HMAC-SHA256 and HMAC-SHA1, and lower-case hex: content
/// digests (lib/oci), SigV4 signatures (lib/aws) and hashed known_hosts names and key fingerprints
/// (lib/ssh) all hash through here. OpenSSL's EVP interface does the work.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace hoist {

/// Incremental SHA-256. Move-only.
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
    /// The 32 raw bytes of the hash; the object is reset and can be reused.
    std::string finish();
    /// Bytes fed since construction or the last finish().
    std::size_t bytes() const { return m_bytes; }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::size_t m_bytes = 0;
};

/// The 32 raw bytes of SHA-256(data).
std::string sha256(std::string_view data);
/// Lower-case hex of SHA-256(data).
std::string sha256_hex(std::string_view data);
/// Raw HMAC-SHA256(key, data).
std::string hmac_sha256(std::string_view key, std::string_view data);
/// Raw HMAC-SHA1(key, data) (hashed known_hosts names).
std::string hmac_sha1(std::string_view key, std::string_view data);
/// Lower-case hex of raw bytes.
std::string to_hex(std::string_view bytes);

}  // namespace hoist
