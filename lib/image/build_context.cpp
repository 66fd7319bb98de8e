#include "image/build_context.hpp"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <stdexcept>

#include "oci/image_store.hpp"
#include "util/strings.hpp"

namespace hoist::image {

BuildContext::BuildContext(std::string root, IgnoreMatcher ignore) : m_root(std::move(root)), m_ignore(std::move(ignore)) {
    while (m_root.size() > 1 && m_root.back() == '/') m_root.pop_back();
}

bool BuildContext::stat_node(const std::string& rel, ContextNode& out) const {
    struct stat st {};
    std::string abs = absolute(rel);
    if (::lstat(abs.c_str(), &st) != 0) return false;
    out.rel = rel;
    out.mode = st.st_mode & 07777;
    out.size = S_ISREG(st.st_mode) ? st.st_size : 0;
    out.mtime_ns = std::int64_t(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    out.inode = st.st_ino;
    if (S_ISDIR(st.st_mode)) {
        out.type = EntryType::dir;
    } else if (S_ISLNK(st.st_mode)) {
        out.type = EntryType::symlink;
        std::string target(std::size_t(st.st_size) + 1, '\0');
        ssize_t n = ::readlink(abs.c_str(), target.data(), target.size());
        target.resize(n < 0 ? 0 : std::size_t(n));
        out.link = target;
    } else if (S_ISREG(st.st_mode)) {
        out.type = EntryType::file;
    } else {
        throw std::runtime_error(rel + ": is not a regular file, directory or symbolic link (sockets, devices "
                                       "and fifos cannot be copied)");
    }
    return true;
}

void BuildContext::walk(const std::string& rel, std::vector<ContextNode>& out) const {
    std::string abs = absolute(rel);
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(abs.c_str()), ::closedir);
    if (!d) throw std::runtime_error(abs + ": cannot read directory");
    std::vector<std::string> names;
    while (auto* ent = ::readdir(d.get())) {
        std::string n = ent->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    for (auto& n : names) {
        std::string child = rel == "." ? n : rel + "/" + n;
        ContextNode node;
        if (!stat_node(child, node)) continue;
        bool skip = excluded(child);
        if (node.type == EntryType::dir) {
            if (skip && m_ignore.can_skip_dir(child)) continue;
            if (!skip) out.push_back(node);
            walk(child, out);
        } else if (!skip) {
            out.push_back(node);
        }
    }
}

std::vector<ContextNode> BuildContext::tree(const ContextNode& node) const {
    std::vector<ContextNode> out{node};
    if (node.type != EntryType::dir) return out;
    if (node.real.empty()) {
        walk(node.rel, out);
        return out;
    }
    // A source reached through symlinks: walk the resolved directory, name the entries below the
    // source as written.
    std::size_t first = out.size();
    walk(node.real, out);
    std::size_t strip = node.real == "." ? 0 : node.real.size() + 1;
    std::string prefix = node.rel == "." ? "" : node.rel + "/";
    for (std::size_t i = first; i < out.size(); ++i) {
        out[i].real = out[i].rel;
        out[i].rel = prefix + out[i].rel.substr(strip);
    }
    return out;
}

std::optional<std::string> BuildContext::in_scope(const std::string& rel, std::string& note) const {
    // Docker's FollowSymlinkInScope: the context root is '/' for every link on the way, so `..`
    // stops at the root and an absolute target starts from it. The kernel never sees a path with a
    // symlink in it: `done` holds only components already known to be directories (or the last).
    std::vector<std::string> done;
    std::deque<std::string> todo;
    for (auto& c : split(rel, '/')) todo.push_back(c);
    int links = 0;
    while (!todo.empty()) {
        std::string c = std::move(todo.front());
        todo.pop_front();
        if (c.empty() || c == ".") continue;
        if (c == "..") {
            if (!done.empty()) done.pop_back();
            continue;
        }
        done.push_back(c);
        std::string cur = join(done, "/");
        struct stat st {};
        if (::lstat(absolute(cur).c_str(), &st) != 0) return std::nullopt;
        if (!S_ISLNK(st.st_mode)) {
            if (!S_ISDIR(st.st_mode) && !todo.empty()) return std::nullopt;  // a file used as a folder
            continue;
        }
        // An excluded link is not in the context docker build sends, so it cannot be followed.
        if (excluded(cur)) return std::nullopt;
        if (++links > max_symlinks) throw std::runtime_error(rel + ": too many levels of symbolic links");
        std::string target(std::size_t(st.st_size) + 1, '\0');
        ssize_t n = ::readlink(absolute(cur).c_str(), target.data(), target.size());
        if (n < 0) return std::nullopt;
        target.resize(std::size_t(n));
        done.pop_back();
        std::string from_root = starts_with(target, "/") || done.empty() ? target : join(done, "/") + "/" + target;
        std::string lexical = clean_relative(from_root);
        if (starts_with(target, "/") || lexical == ".." || starts_with(lexical, "../"))
            note = "symbolic link " + cur + " points to " + target +
                   ", outside the build context; links are followed inside the context, as docker build does";
        if (starts_with(target, "/")) done.clear();
        auto parts = split(target, '/');
        for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_front(*it);
    }
    return done.empty() ? std::string(".") : join(done, "/");
}

ContextNode BuildContext::node_in_scope(const std::string& rel) const {
    std::string note;
    auto real = in_scope(rel, note);
    ContextNode n;
    if (!real || excluded(*real) || !stat_node(*real, n)) {
        std::string why = rel + ": not found in the build context or excluded by .dockerignore";
        throw std::runtime_error(note.empty() ? why : why + " (" + note + ")");
    }
    if (*real != rel) {
        n.real = *real;
        n.rel = rel;
    }
    return n;
}

std::vector<ContextNode> BuildContext::resolve(const std::string& source) const {
    std::string rel = clean_relative(source);
    if (rel == ".." || starts_with(rel, "../"))
        throw std::runtime_error("forbidden path outside the build context: " + source);
    bool wildcard = rel.find_first_of("*?[") != std::string::npos;
    std::vector<ContextNode> out;
    if (!wildcard) {
        out.push_back(node_in_scope(rel));
        return out;
    }
    // Wildcards match every non-excluded path of the context, one component per '*'. The walk
    // follows no symlink, so only a matched symlink itself is followed (in scope).
    std::vector<ContextNode> all;
    walk(".", all);
    for (auto& n : all)
        if (::fnmatch(rel.c_str(), n.rel.c_str(), FNM_PATHNAME) == 0)
            out.push_back(n.type == EntryType::symlink ? node_in_scope(n.rel) : n);
    if (out.empty()) throw std::runtime_error(source + ": no source files were specified (the pattern matches nothing)");
    return out;
}

IgnoreMatcher load_ignore_file(const std::string& context_dir, const std::string& dockerfile_path) {
    namespace fs = std::filesystem;
    std::string specific = dockerfile_path + ".dockerignore";
    if (fs::exists(specific)) return IgnoreMatcher::parse(oci::read_file(specific), fs::path(specific).filename().string());
    std::string general = context_dir + "/.dockerignore";
    if (fs::exists(general)) return IgnoreMatcher::parse(oci::read_file(general), ".dockerignore");
    return {};
}

}  // namespace hoist::image
