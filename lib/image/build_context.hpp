#pragma once
/// The build context: the directory COPY and ADD read from, minus what .dockerignore excludes.
///
/// Sources are resolved the way `docker build` resolves them: cleaned, relative to the context
/// root (a leading '/' means the root too), never outside it; wildcards (`*`, `?`, `[...]`, as Go's
/// filepath.Match) match path by path against everything in the context. Files are only
/// stat()ed here — contents are read when a layer is written, and only if the cache misses.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "image/dockerignore.hpp"
#include "image/layer_writer.hpp"

namespace hoist::image {

/// One path of the context, from lstat().
struct ContextNode {
    std::string rel;  ///< relative to the context root; "." for the root itself
    EntryType type = EntryType::file;
    std::uint32_t mode = 0;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t inode = 0;
    std::string link;  ///< symlink target
    std::string real;  ///< where the bytes are read from when not `rel` (reached through symlinks)
};

class BuildContext {
public:
    /// `root`: the context directory; `ignore`: its .dockerignore patterns.
    BuildContext(std::string root, IgnoreMatcher ignore);

    const std::string& root() const { return m_root; }
    std::string absolute(const std::string& rel) const { return rel == "." ? m_root : m_root + "/" + rel; }

    /// Resolves a COPY/ADD source to context paths (sorted). Every symlink on the source's path,
    /// the last one included, is followed inside the context, as Docker does (the copy keeps the
    /// source's name): a link to `/etc` or `../..` means the context's `etc` or root, never the
    /// build machine's. Excluded paths are absent, links to them dangling. Symlinks below a copied
    /// directory stay symlinks. Throws std::runtime_error with the user-facing reason (outside
    /// the context, not found or excluded, no wildcard match).
    std::vector<ContextNode> resolve(const std::string& source) const;

    /// `node` and, for a directory, everything below it that is not excluded (sorted by path).
    std::vector<ContextNode> tree(const ContextNode& node) const;

    bool excluded(const std::string& rel) const { return rel != "." && m_ignore.excluded(rel); }

private:
    /// The most links one source may pass through (Go's FollowSymlinkInScope allows 255).
    static constexpr int max_symlinks = 255;
    bool stat_node(const std::string& rel, ContextNode& out) const;
    /// `rel` with every symlink resolved inside the root; nullopt when it does not exist there.
    /// `note` explains a link that pointed outside, for the error message.
    std::optional<std::string> in_scope(const std::string& rel, std::string& note) const;
    /// The node `rel` resolves to, named `rel` (its bytes at `real`); throws when absent.
    ContextNode node_in_scope(const std::string& rel) const;
    void walk(const std::string& rel, std::vector<ContextNode>& out) const;
    std::string m_root;
    IgnoreMatcher m_ignore;
};

/// Reads the ignore file for `dockerfile` in `context_dir`: `<dockerfile>.dockerignore` next to
/// the Dockerfile if present, else `<context>/.dockerignore`, else none.
IgnoreMatcher load_ignore_file(const std::string& context_dir, const std::string& dockerfile_path);

}  // namespace hoist::image
