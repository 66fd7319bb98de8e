#pragma once
// A throwaway build context and image store for native builder tests.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "image/native_builder.hpp"
#include "oci/image_store.hpp"
#include "../test_support.hpp"

namespace hoist::test {

inline void write_file(const std::string& path, const std::string& data, std::filesystem::perms mode = std::filesystem::perms(0644)) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
    std::filesystem::permissions(path, mode);
}

/// Builds `dockerfile` over `context` into a store at `store_dir`.
inline image::BuildResult build_in(const std::string& context, const std::string& store_dir, const std::string& dockerfile,
                                   std::map<std::string, std::string> args = {}) {
    write_file(context + "/Dockerfile", dockerfile);
    image::NativeBuildOptions o;
    o.context_dir = context;
    o.dockerfile = context + "/Dockerfile";
    o.reference = "registry.test/app:t";
    o.build_args = std::move(args);
    oci::ImageStore store(store_dir);
    return image::build_native(o, store, nullptr);
}

}  // namespace hoist::test
