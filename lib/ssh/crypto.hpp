#pragma once
/// The little cryptography known_hosts needs: base64, SHA-256 fingerprints, HMAC-SHA1 of hashed
/// host names, and the type name inside an SSH public key blob. OpenSSL does the work.
#include <optional>
#include <string>

namespace hoist::ssh {

std::string base64_encode(const std::string& bytes);
/// Standard alphabet, padding optional; nullopt on a character outside it.
std::optional<std::string> base64_decode(const std::string& text);

std::string sha256(const std::string& bytes);
std::string hmac_sha1(const std::string& key, const std::string& data);

/// OpenSSH's fingerprint of a public key blob: "SHA256:" + unpadded base64 of its SHA-256.
std::string fingerprint(const std::string& key_blob);

/// The key type a public key blob declares in its first field ("ssh-ed25519", "ssh-rsa",
/// "ecdsa-sha2-nistp256"); empty when the blob is malformed.
std::string key_type_of_blob(const std::string& key_blob);

/// Random bytes from OpenSSL's CSPRNG (salts of hashed known_hosts entries).
std::string random_bytes(std::size_t n);

}  // namespace hoist::ssh
