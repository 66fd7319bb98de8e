#include "image/copy_plan.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <map>
#include <memory>
#include <stdexcept>

#include "image/archive_message.hpp"
#include "image/dockerignore.hpp"
#include "util/strings.hpp"

namespace hoist::image {
namespace {

using Entries = std::map<std::string, LayerEntry>;

std::string join_path(const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    if (name.empty()) return dir;
    return dir + "/" + name;
}

std::string parent_of(const std::string& p) {
    auto s = p.rfind('/');
    return s == std::string::npos ? "" : p.substr(0, s);
}

std::string base_name(const std::string& p) {
    auto s = p.rfind('/');
    return s == std::string::npos ? p : p.substr(s + 1);
}

/// Adds parent directories of `path` that the layer does not hold yet: existing ones with their
/// metadata (as Docker's layer diffs do), new ones 0755 owned by `owner`.
void add_parents(Entries& out, const std::string& path, const FsView& fs, std::pair<std::uint32_t, std::uint32_t> owner) {
    for (std::string p = parent_of(path); !p.empty(); p = parent_of(p)) {
        if (out.count(p)) continue;
        LayerEntry d;
        d.path = p;
        d.type = EntryType::dir;
        if (auto n = fs.find(p); n && n->type == EntryType::dir) {
            d.mode = n->mode;
            d.uid = n->uid;
            d.gid = n->gid;
        } else {
            d.mode = 0755;
            d.uid = owner.first;
            d.gid = owner.second;
        }
        out[p] = d;
    }
}

LayerEntry entry_for(const BuildContext& ctx, const ContextNode& n, const std::string& target, const CopyRequest& req) {
    LayerEntry e;
    e.path = target;
    e.type = n.type;
    e.mode = req.chmod ? *req.chmod : n.mode;
    if (req.chown) {
        e.uid = req.chown->first;
        e.gid = req.chown->second;
    }
    e.size = n.size;
    e.link = n.link;
    if (n.type == EntryType::file) {
        e.source = ctx.absolute(n.real.empty() ? n.rel : n.real);
        e.source_mtime_ns = n.mtime_ns;
        e.source_inode = n.inode;
    }
    return e;
}

struct ReadFree {
    void operator()(archive* a) const { archive_read_free(a); }
};

/// Extracts a tar archive (any compression libarchive knows) into entries under `dest`.
/// Returns false when `path` is not an archive (ADD then copies it as a file).
bool extract_archive(const std::string& path, const std::string& dest, const CopyRequest& req, Entries& out,
                     const FsView& fs) {
    std::unique_ptr<archive, ReadFree> a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) return false;
    archive_entry* ae = nullptr;
    int rc = archive_read_next_header(a.get(), &ae);
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return false;  // not a tar: copied as a plain file
    std::map<std::string, std::shared_ptr<const std::string>> contents;  // for hard links
    std::int64_t held = 0;
    auto too_big = [&] {
        return std::runtime_error(path + ": the archive extracts to more than " + std::to_string(req.max_extracted_bytes >> 20) +
                                  " MiB, which ADD holds in memory; extract it into the context and COPY it, or use `builder: docker`");
    };
    do {
        // Each member costs an entry too: a compressed archive of millions of empty files is as
        // much a bomb as one of zeros.
        if ((held += 512) > req.max_extracted_bytes) throw too_big();
        std::string rel = clean_relative(archive_entry_pathname(ae));
        if (rel == "." ) continue;
        if (rel == ".." || starts_with(rel, "../")) throw std::runtime_error(path + ": member '" + rel + "' escapes the destination");
        LayerEntry e;
        e.path = join_path(dest, rel);
        e.mode = req.chmod ? *req.chmod : (archive_entry_perm(ae) & 07777);
        // Docker keeps the archive's owners even with --chown.
        e.uid = std::uint32_t(archive_entry_uid(ae));
        e.gid = std::uint32_t(archive_entry_gid(ae));
        auto type = archive_entry_filetype(ae);
        const char* hard = archive_entry_hardlink(ae);
        if (hard) {
            auto it = contents.find(clean_relative(hard));
            if (it == contents.end()) throw std::runtime_error(path + ": hard link '" + rel + "' to a missing member");
            e.type = EntryType::file;
            e.content = it->second;
            e.size = std::int64_t(it->second->size());
        } else if (type == AE_IFDIR) {
            e.type = EntryType::dir;
        } else if (type == AE_IFLNK) {
            e.type = EntryType::symlink;
            e.link = archive_entry_symlink(ae);
        } else if (type == AE_IFREG) {
            e.type = EntryType::file;
            auto data = std::make_shared<std::string>();
            char buf[65536];
            la_ssize_t n;
            while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) {
                if ((held += n) > req.max_extracted_bytes) throw too_big();
                data->append(buf, std::size_t(n));
            }
            if (n < 0) throw std::runtime_error(path + ": " + archive_message(a.get()));
            e.size = std::int64_t(data->size());
            e.content = data;
            contents[rel] = data;
        } else {
            throw std::runtime_error(path + ": member '" + rel + "' is a device or fifo, which hoist does not write");
        }
        out[e.path] = e;
    } while ((rc = archive_read_next_header(a.get(), &ae)) == ARCHIVE_OK || rc == ARCHIVE_WARN);
    if (rc != ARCHIVE_EOF) throw std::runtime_error(path + ": " + archive_message(a.get()));
    std::vector<std::string> paths;
    for (auto& [p, _] : out) paths.push_back(p);
    for (auto& p : paths) add_parents(out, p, fs, {0, 0});
    return true;
}

}  // namespace

std::string resolve_in_image(const std::string& workdir, const std::string& requested) {
    std::string joined = starts_with(requested, "/") ? requested : workdir + "/" + requested;
    std::string c = clean_relative("/" + joined);
    return c == "." ? "" : c;
}

std::optional<std::uint32_t> parse_chmod(const std::string& s) {
    if (s.empty() || s.size() > 4) return std::nullopt;
    std::uint32_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '7') return std::nullopt;
        v = v * 8 + std::uint32_t(c - '0');
    }
    return v;
}

std::vector<LayerEntry> plan_copy(const BuildContext& ctx, const CopyRequest& req, const FsView& fs) {
    bool slash = ends_with(req.dest, "/") || req.dest == "." || ends_with(req.dest, "/.");
    std::string dest = resolve_in_image(req.workdir, req.dest);
    if (req.sources.size() > 1 && !slash)
        throw std::runtime_error("when copying more than one source the destination must be a directory and end with a /");
    bool dest_is_dir = slash || dest.empty() || fs.is_dir(dest);
    std::pair<std::uint32_t, std::uint32_t> owner = req.chown ? *req.chown : std::pair<std::uint32_t, std::uint32_t>{0, 0};

    Entries out;
    for (auto& src : req.sources) {
        if (src.type == EntryType::dir) {
            // The directory's contents go into dest; dest itself is created with the source's mode.
            if (!dest.empty() && !out.count(dest)) {
                LayerEntry d;
                d.path = dest;
                d.type = EntryType::dir;
                if (auto n = fs.find(dest); n && n->type == EntryType::dir) {
                    d.mode = n->mode;
                    d.uid = n->uid;
                    d.gid = n->gid;
                } else {
                    d.mode = req.chmod ? *req.chmod : src.mode;
                    d.uid = owner.first;
                    d.gid = owner.second;
                }
                out[dest] = d;
                add_parents(out, dest, fs, {0, 0});
            }
            auto nodes = ctx.tree(src);
            std::string prefix = src.rel == "." ? "" : src.rel + "/";
            for (std::size_t i = 1; i < nodes.size(); ++i) {
                std::string below = nodes[i].rel.substr(prefix.size());
                out[join_path(dest, below)] = entry_for(ctx, nodes[i], join_path(dest, below), req);
            }
            continue;
        }
        if (req.extract_archives && src.type == EntryType::file &&
            extract_archive(ctx.absolute(src.real.empty() ? src.rel : src.real), dest, req, out, fs))
            continue;
        std::string target = dest_is_dir ? join_path(dest, base_name(src.rel)) : dest;
        if (target.empty()) throw std::runtime_error("cannot copy a file onto the root directory");
        out[target] = entry_for(ctx, src, target, req);
        add_parents(out, target, fs, owner);
    }
    std::vector<LayerEntry> result;
    result.reserve(out.size());
    for (auto& [_, e] : out) result.push_back(std::move(e));
    return result;
}

}  // namespace hoist::image
