#pragma once
/// The path rules of COPY and ADD: which layer entries copying some context paths to a
/// destination produces. Pure apart from stat()/reading tar archives, so every rule is unit-tested.
///
/// Rules (Dockerfile reference; Docker's classic builder where the reference is silent):
///  - a relative destination is relative to WORKDIR; a destination ending in '/' (or "." / "/.")
///    is a directory; so is one that already exists as a directory in the image;
///  - more than one source (after wildcards) needs a destination ending in '/';
///  - a directory source copies its contents, not itself; the destination directory is created
///    with the source directory's mode when it does not exist;
///  - a file source lands at dest/<basename> when the destination is a directory, else at dest;
///  - ADD extracts a local tar archive (plain, gzip, bzip2, xz) into the destination directory,
///    keeping the archive's owners (even with --chown) and modes;
///  - a source that is a symlink is followed (inside the context); symlinks below a copied
///    directory are copied as symlinks;
///  - --chown sets the owner of everything copied; directories the copy creates get it too
///    (for a file source every new parent, for a directory source the destination itself);
///    other new parents are root's, existing ones keep their metadata;
///  - --chmod sets the mode of everything copied (not of parents).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "image/build_context.hpp"
#include "image/fs_view.hpp"
#include "image/layer_writer.hpp"

namespace hoist::image {

struct CopyRequest {
    std::vector<ContextNode> sources;  ///< resolved top-level sources, in order
    std::string dest;                  ///< as written (after variable expansion)
    std::string workdir = "/";
    std::optional<std::uint32_t> chmod;
    std::optional<std::pair<std::uint32_t, std::uint32_t>> chown;  ///< uid, gid
    bool extract_archives = false;     ///< ADD
    /// ADD holds an archive's extracted files in memory until the layer is written; past this
    /// many bytes (a gzip bomb, or simply an archive too big for that) it is an error.
    std::int64_t max_extracted_bytes = std::int64_t(1) << 30;
};

/// Entries of the layer, sorted by path, parents first. Throws std::runtime_error with the
/// user-facing reason (e.g. several sources and a destination without a trailing '/').
std::vector<LayerEntry> plan_copy(const BuildContext& ctx, const CopyRequest& req, const FsView& fs);

/// Joins `requested` onto `workdir` and cleans it: "/app/x" -> "app/x" (no leading '/'; "" is /).
std::string resolve_in_image(const std::string& workdir, const std::string& requested);

/// Parses --chmod: octal digits only ("755", "0644"). nullopt when malformed.
std::optional<std::uint32_t> parse_chmod(const std::string& s);

}  // namespace hoist::image
