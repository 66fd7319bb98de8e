#include "image/fs_view.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "image/archive_message.hpp"
#include "image/dockerignore.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::image {
namespace {

struct ReadFree {
    void operator()(archive* a) const { archive_read_free(a); }
};

/// Field `index` (0-based) of the colon-separated line of `file` whose first field is `name`.
std::optional<std::string> account_field(const std::optional<std::string>& file, const std::string& name, int index) {
    if (!file) return std::nullopt;
    for (auto& line : split(*file, '\n')) {
        auto f = split(line, ':');
        if (f.size() > std::size_t(index) && f[0] == name) return f[std::size_t(index)];
    }
    return std::nullopt;
}

std::optional<std::uint32_t> to_id(const std::optional<std::string>& s) {
    if (!s) return std::nullopt;
    auto v = parse_int(*s);
    if (!v || *v < 0 || *v > 0xffffffffLL) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

}  // namespace

void FsView::remove_tree(const std::string& path) {
    auto it = m_nodes.lower_bound(path);
    while (it != m_nodes.end() && (it->first == path || starts_with(it->first, path + "/"))) it = m_nodes.erase(it);
}

void FsView::apply_tar(const std::string& path) {
    std::unique_ptr<archive, ReadFree> a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
        throw Error(ExitCode::build_push, path + ": " + archive_message(a.get()));
    archive_entry* e = nullptr;
    int rc;
    while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
        std::string p = clean_relative(archive_entry_pathname(e));
        if (p == ".") p = "";
        auto slash = p.rfind('/');
        std::string base = slash == std::string::npos ? p : p.substr(slash + 1);
        std::string dir = slash == std::string::npos ? "" : p.substr(0, slash);
        if (base == ".wh..wh..opq") {  // opaque directory: drop what lower layers had below it
            auto keep = m_nodes.find(dir);
            std::optional<FsNode> d;
            if (keep != m_nodes.end()) d = keep->second;
            remove_tree(dir);
            if (d) m_nodes[dir] = *d;
            continue;
        }
        if (starts_with(base, ".wh.")) {
            remove_tree((dir.empty() ? "" : dir + "/") + base.substr(4));
            continue;
        }
        FsNode n;
        auto type = archive_entry_filetype(e);
        n.type = type == AE_IFDIR ? EntryType::dir : type == AE_IFLNK ? EntryType::symlink : EntryType::file;
        n.mode = archive_entry_perm(e);
        n.uid = static_cast<std::uint32_t>(archive_entry_uid(e));
        n.gid = static_cast<std::uint32_t>(archive_entry_gid(e));
        if (n.type != EntryType::dir) remove_tree(p);
        m_nodes[p] = n;
        if ((p == "etc/passwd" || p == "etc/group") && type == AE_IFREG) {
            std::string data;
            char buf[8192];
            la_ssize_t r;
            while ((r = archive_read_data(a.get(), buf, sizeof buf)) > 0) {
                if (data.size() + std::size_t(r) > max_account_file_bytes)
                    throw Error(ExitCode::build_push, path + ": /" + p + " is over " +
                                                          std::to_string(max_account_file_bytes >> 20) + " MiB");
                data.append(buf, std::size_t(r));
            }
            (p == "etc/passwd" ? m_passwd : m_group) = std::move(data);
        }
    }
    if (rc != ARCHIVE_EOF) throw Error(ExitCode::build_push, path + ": " + archive_message(a.get()));
}

void FsView::apply(const std::vector<LayerEntry>& entries) {
    for (auto& e : entries) {
        if (e.type != EntryType::dir) remove_tree(e.path);
        m_nodes[e.path] = FsNode{e.type, e.mode, e.uid, e.gid};
        if ((e.path == "etc/passwd" || e.path == "etc/group") && e.type == EntryType::file) {
            std::string data = e.content ? *e.content : std::string();
            if (e.size > std::int64_t(max_account_file_bytes))
                throw Error(ExitCode::build_push, "/" + e.path + " is over " + std::to_string(max_account_file_bytes >> 20) +
                                                      " MiB, more than --chown needs to read");
            if (!e.content) {
                try {
                    data = oci::read_file(e.source);
                } catch (const Error&) {
                }
            }
            (e.path == "etc/passwd" ? m_passwd : m_group) = std::move(data);
        }
    }
}

std::optional<FsNode> FsView::find(const std::string& path) const {
    if (path.empty()) return FsNode{};
    auto it = m_nodes.find(path);
    if (it == m_nodes.end()) return std::nullopt;
    return it->second;
}

bool FsView::is_dir(const std::string& path) const {
    auto n = find(path);
    return n && n->type == EntryType::dir;
}

std::optional<std::uint32_t> FsView::lookup_user(const std::string& name) const {
    return to_id(account_field(m_passwd, name, 2));
}
std::optional<std::uint32_t> FsView::lookup_group(const std::string& name) const {
    return to_id(account_field(m_group, name, 2));
}
std::optional<std::uint32_t> FsView::primary_group(const std::string& name) const {
    return to_id(account_field(m_passwd, name, 3));
}

}  // namespace hoist::image
