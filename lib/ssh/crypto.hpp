#pragma once
/// What known_hosts needs beyond util's codecs (base64, SHA-256, HMAC in util/): key fingerprints,
/// the type name inside an SSH public key blob, and salts.
#include <optional>
#include <string>

#include "util/base64.hpp"
#include "util/sha256.hpp"

namespace hoist::ssh {

/// OpenSSH's fingerprint of a public key blob: "SHA256:" + unpadded base64 of its SHA-256.
std::string fingerprint(const std::string& key_blob);

/// The key type a public key blob declares in its first field ("ssh-ed25519", "ssh-rsa",
/// "ecdsa-sha2-nistp256"); empty when the blob is malformed.
std::string key_type_of_blob(const std::string& key_blob);

/// Random bytes from OpenSSL's CSPRNG (salts of hashed known_hosts entries).
std::string random_bytes(std::size_t n);

}  // namespace hoist::ssh
