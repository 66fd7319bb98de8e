#include "build/build_context.hpp"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "oci/image_store.hpp"
#include "util/strings.hpp"

namespace hoist::build {

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
    // A followed symlink to a directory: walk the target, name the entries below the link.
    std::size_t first = out.size();
    walk(node.real, out);
    for (std::size_t i = first; i < out.size(); ++i) {
        out[i].real = out[i].rel;
        out[i].rel = node.rel + out[i].rel.substr(node.real.size());
    }
    return out;
}

ContextNode BuildContext::follow(const ContextNode& link) const {
    ContextNode n = link;
    for (int hops = 0; n.type == EntryType::symlink; ++hops) {
        if (hops > 40) throw std::runtime_error(link.rel + ": too many levels of symbolic links");
        std::string dir = n.rel.find('/') == std::string::npos ? "" : n.rel.substr(0, n.rel.rfind('/'));
        // An absolute target is taken inside the context, like Docker's FollowSymlinkInScope.
        std::string target = starts_with(n.link, "/") ? clean_relative(n.link) : clean_relative(dir + "/" + n.link);
        if (target == ".." || starts_with(target, "../"))
            throw std::runtime_error(link.rel + ": symbolic link points outside the build context");
        if (!stat_node(target, n)) throw std::runtime_error(link.rel + ": symbolic link target " + target + " does not exist");
    }
    ContextNode out = n;
    out.real = n.rel;
    out.rel = link.rel;
    return out;
}

std::vector<ContextNode> BuildContext::resolve(const std::string& source) const {
    std::string rel = clean_relative(source);
    if (rel == ".." || starts_with(rel, "../"))
        throw std::runtime_error("forbidden path outside the build context: " + source);
    bool wildcard = rel.find_first_of("*?[") != std::string::npos;
    std::vector<ContextNode> out;
    if (!wildcard) {
        ContextNode n;
        if (excluded(rel) || !stat_node(rel, n))
            throw std::runtime_error(source + ": not found in the build context or excluded by .dockerignore");
        out.push_back(n.type == EntryType::symlink ? follow(n) : n);
        return out;
    }
    // Wildcards match every non-excluded path of the context, one component per '*'.
    std::vector<ContextNode> all;
    walk(".", all);
    for (auto& n : all)
        if (::fnmatch(rel.c_str(), n.rel.c_str(), FNM_PATHNAME) == 0)
            out.push_back(n.type == EntryType::symlink ? follow(n) : n);
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

}  // namespace hoist::build
