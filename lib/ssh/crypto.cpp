#include "ssh/crypto.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "util/base64.hpp"
#include "util/sha256.hpp"

namespace hoist::ssh {

std::string fingerprint(const std::string& key_blob) {
    std::string b64 = base64_encode(sha256(key_blob));
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    return "SHA256:" + b64;
}

std::string key_type_of_blob(const std::string& blob) {
    if (blob.size() < 4) return "";
    auto u = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(blob[i])); };
    std::size_t len = (u(0) << 24) | (u(1) << 16) | (u(2) << 8) | u(3);
    if (len == 0 || len > 64 || 4 + len > blob.size()) return "";
    return blob.substr(4, len);
}

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return out;
}

}  // namespace hoist::ssh
