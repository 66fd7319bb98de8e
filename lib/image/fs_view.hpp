#pragma once
/// What the image's root filesystem holds so far, as far as COPY/ADD/WORKDIR need to know: which
/// paths exist, their type, mode and owner, and the bytes of /etc/passwd and /etc/group.
///
/// Docker decides several COPY rules by looking at the filesystem (is the destination an existing
/// directory? which parent directories are new and so get the --chown owner?) and writes parent
/// directories into a layer with their existing metadata. hoist answers the same questions from
/// this view, built from the base image's layer tars (headers only, plus the two account files)
/// and then updated with every layer the build adds.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "image/layer_writer.hpp"

namespace hoist::image {

struct FsNode {
    EntryType type = EntryType::dir;
    std::uint32_t mode = 0755;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
};

class FsView {
public:
    /// /etc/passwd and /etc/group are held in memory; a larger one is refused (exit 5).
    static constexpr std::size_t max_account_file_bytes = 16 << 20;

    /// Applies a gzip (or plain) layer tar from `path`, honouring OCI whiteouts.
    void apply_tar(const std::string& path);
    /// Applies entries hoist is about to write.
    void apply(const std::vector<LayerEntry>& entries);

    /// The node at `path` ("a/b", no leading '/'; "" is the root), or nullopt.
    std::optional<FsNode> find(const std::string& path) const;
    bool is_dir(const std::string& path) const;

    /// uid of a user name from /etc/passwd; nullopt when unknown. `has_passwd` says whether the
    /// file exists at all (to word the error).
    std::optional<std::uint32_t> lookup_user(const std::string& name) const;
    std::optional<std::uint32_t> lookup_group(const std::string& name) const;
    /// The primary gid of user `name` (for --chown=NAME without a group).
    std::optional<std::uint32_t> primary_group(const std::string& name) const;
    bool has_passwd() const { return m_passwd.has_value(); }
    bool has_group() const { return m_group.has_value(); }

private:
    void remove_tree(const std::string& path);
    std::map<std::string, FsNode> m_nodes;
    std::optional<std::string> m_passwd, m_group;
};

}  // namespace hoist::image
