#pragma once
/// Where each member of an uncompressed tar file lives (name -> offset and size of its data).
///
/// docker-archive tarballs (`docker save`) hold manifest.json, configs and layer tars as members.
/// Knowing their offsets lets each layer be read (and compressed, and uploaded) independently
/// and in parallel with pread, straight from the archive, without extracting it.
/// Understands ustar, GNU long names ('L') and pax extended headers ('x': path, size).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace hoist::oci {

struct TarMember {
    std::int64_t offset = 0;  ///< of the data, in bytes from the start of the file
    std::int64_t size = 0;
};

/// Indexes regular files (and hard links' targets are not followed: docker-archive has none).
/// Names are normalised without a leading "./". Throws hoist::Error (exit 5) on a damaged archive:
/// negative or oversized sizes, members past the end of the file, metadata over 1 MiB. Every
/// header is past the previous one, so the walk ends on any input.
std::map<std::string, TarMember> index_tar(const std::string& path);

/// Reads `n` bytes at offset `at` into `buf`; false when they are not all there.
using ReadAt = std::function<bool(char* buf, std::size_t n, std::int64_t at)>;
/// The same over any reader of a `size`-byte archive; `name` is used in errors.
std::map<std::string, TarMember> index_tar(const ReadAt& read_at, std::int64_t size, const std::string& name);
/// The same over an archive in memory (tests, the fuzz target).
std::map<std::string, TarMember> index_tar_bytes(std::string_view bytes, const std::string& name);

}  // namespace hoist::oci
