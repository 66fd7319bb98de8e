#pragma once
/// Where each member of an uncompressed tar file lives (name -> offset and size of its data).
///
/// docker-archive tarballs (`docker save`) hold manifest.json, configs and layer tars as members.
/// Knowing their offsets lets each layer be read (and compressed, and uploaded) independently
/// and in parallel with pread, straight from the archive, without extracting it.
/// Understands ustar, GNU long names ('L') and pax extended headers ('x': path, size).
#include <cstdint>
#include <map>
#include <string>

namespace hoist::oci {

struct TarMember {
    std::int64_t offset = 0;  ///< of the data, in bytes from the start of the file
    std::int64_t size = 0;
};

/// Indexes regular files (and hard links' targets are not followed: docker-archive has none).
/// Names are normalised without a leading "./". Throws hoist::Error (exit 5) on a damaged archive.
std::map<std::string, TarMember> index_tar(const std::string& path);

}  // namespace hoist::oci
