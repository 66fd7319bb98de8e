#include "registry/mount_hints.hpp"

#include <filesystem>

#include "oci/image_store.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::registry {

MountHints::MountHints(std::string cache_dir, const std::string& registry) {
    std::string safe;
    for (char c : registry) safe.push_back(c == ':' || c == '/' ? '_' : c);
    m_dir = cache_dir + "/registry-blobs/" + safe;
}

std::string MountHints::lookup(const oci::Digest& digest) const {
    std::string path = m_dir + "/" + digest.hex;
    if (!std::filesystem::exists(path)) return "";
    try {
        return trim(oci::read_file(path));
    } catch (const Error&) {
        return "";
    }
}

void MountHints::record(const oci::Digest& digest, const std::string& repository) const {
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    if (ec) return;
    try {
        oci::write_file_atomic(m_dir + "/" + digest.hex, repository);
    } catch (const Error&) {
    }
}

}  // namespace hoist::registry
