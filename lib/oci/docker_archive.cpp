#include "oci/docker_archive.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "oci/media_types.hpp"
#include "util/error.hpp"

namespace hoist::oci {

namespace {

bool loadable_layer(const std::string& media_type) {
    // docker load (20.10) and podman load detect gzip and plain tar by their magic; zstd is not
    // read by docker 20.10's loader.
    return media_type == media::oci_layer_gzip || media_type == media::docker_layer_gzip ||
           media_type == media::oci_layer_tar || media_type == "application/vnd.docker.image.rootfs.diff.tar";
}

std::string layer_name(const ArchiveLayer& l) { return l.blob.digest.hex + "/layer.tar"; }

}  // namespace

ArchiveImage archive_image(const ImageStore& store, const std::string& ref) {
    auto d = store.resolve(ref);
    if (!d) throw Error(ExitCode::build_push, "no " + ref + " in the local image store " + store.dir());
    std::string where = ref + " in the local image store";
    Manifest m = parse_manifest(store.read_blob(d->digest), where);
    nlohmann::json config = nlohmann::json::parse(store.read_blob(m.config.digest), nullptr, false);
    if (!config.is_object() || !config.contains("rootfs") || !config["rootfs"].is_object() ||
        !config["rootfs"].contains("diff_ids") || !config["rootfs"]["diff_ids"].is_array())
        throw Error(ExitCode::build_push, where + ": the image config has no rootfs.diff_ids");
    const auto& ids = config["rootfs"]["diff_ids"];
    if (ids.size() != m.layers.size())
        throw Error(ExitCode::build_push, where + ": the config lists " + std::to_string(ids.size()) +
                                              " layers but the manifest " + std::to_string(m.layers.size()));
    ArchiveImage img;
    img.store_dir = store.dir();
    img.ref = ref;
    img.config = m.config;
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
        if (!ids[i].is_string()) throw Error(ExitCode::build_push, where + ": rootfs.diff_ids holds a non-string");
        if (!loadable_layer(m.layers[i].media_type))
            throw Error(ExitCode::build_push, where + ": layer " + std::to_string(i + 1) + " is " + m.layers[i].media_type +
                                                  ", which the hosts' runtimes cannot load; build it with gzip layers "
                                                  "or use a registry");
        img.layers.push_back({Digest::must_parse(ids[i].get<std::string>(), "a diff ID of " + ref), m.layers[i]});
    }
    return img;
}

std::size_t layers_present(const ArchiveImage& image, const std::vector<std::vector<std::string>>& host_chains) {
    std::size_t best = 0;
    for (const auto& chain : host_chains) {
        std::size_t k = 0;
        while (k < image.layers.size() && k < chain.size() && chain[k] == image.layers[k].diff_id.str()) ++k;
        best = std::max(best, k);
    }
    return best;
}

HostNeed host_need(const ArchiveImage& image, const std::vector<std::vector<std::string>>& layer_lists,
                   const std::vector<std::string>& image_ids, bool podman) {
    HostNeed n;
    n.has_image = std::find(image_ids.begin(), image_ids.end(), image.config.digest.str()) != image_ids.end();
    n.first = podman ? 0 : layers_present(image, layer_lists);
    return n;
}

std::int64_t bytes_to_send(const ArchiveImage& image, std::size_t first) {
    std::int64_t n = 0;
    for (std::size_t i = first; i < image.layers.size(); ++i) n += image.layers[i].blob.size;
    return n;
}

std::string tar_header(const std::string& name, std::int64_t size) {
    if (name.size() >= 100) throw std::logic_error("tar member name too long: " + name);
    char h[512];
    std::memset(h, 0, sizeof h);
    std::memcpy(h, name.data(), name.size());
    std::snprintf(h + 100, 8, "%07o", 0644);
    std::snprintf(h + 108, 8, "%07o", 0);
    std::snprintf(h + 116, 8, "%07o", 0);
    std::snprintf(h + 124, 12, "%011llo", static_cast<unsigned long long>(size));
    std::snprintf(h + 136, 12, "%011o", 0);
    h[156] = '0';
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);
    h[155] = ' ';
    return std::string(h, sizeof h);
}

std::string ArchiveStream::manifest_json(const ArchiveImage& image) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : image.layers) layers.push_back(layer_name(l));
    nlohmann::json doc = nlohmann::json::array();
    // No RepoTags: the image is tagged by its ID after the load (see the header).
    doc.push_back({{"Config", image.config.digest.hex + ".json"}, {"RepoTags", nullptr}, {"Layers", layers}});
    return doc.dump();
}

ArchiveStream::ArchiveStream(const ArchiveImage& image, std::size_t first) {
    ImageStore store(image.store_dir, false);
    m_members.push_back({"manifest.json", manifest_json(image), "", 0});
    m_members.back().size = static_cast<std::int64_t>(m_members.back().inline_bytes.size());
    m_members.push_back({image.config.digest.hex + ".json", "", store.blob_path(image.config.digest), image.config.size});
    for (std::size_t i = first; i < image.layers.size(); ++i) {
        const auto& l = image.layers[i];
        // docker load wants the directory entry before the file only in old formats; a plain
        // path works with both docker and podman.
        m_members.push_back({layer_name(l), "", store.blob_path(l.blob.digest), l.blob.size});
    }
}

ArchiveStream::~ArchiveStream() {
    if (m_file) std::fclose(m_file);
}

bool ArchiveStream::next_member() {
    if (m_file) {
        std::fclose(m_file);
        m_file = nullptr;
    }
    if (m_index >= m_members.size()) {
        if (!m_done) {
            m_pending.append(1024, '\0');  // end of archive: two zero blocks
            m_done = true;
            return true;
        }
        return false;
    }
    Member& mem = m_members[m_index++];
    m_pending += tar_header(mem.name, mem.size);
    if (mem.path.empty()) {
        m_pending += mem.inline_bytes;
        std::size_t pad = (512 - mem.inline_bytes.size() % 512) % 512;
        m_pending.append(pad, '\0');
        return true;
    }
    m_file = std::fopen(mem.path.c_str(), "rb");
    if (!m_file)
        throw Error(ExitCode::build_push, "cannot read " + mem.path + " from the local image store: " + std::strerror(errno));
    m_left = mem.size;
    return true;
}

std::size_t ArchiveStream::read(char* out, std::size_t cap) {
    std::size_t n = 0;
    while (n < cap) {
        if (!m_pending.empty()) {
            std::size_t k = std::min(cap - n, m_pending.size());
            std::memcpy(out + n, m_pending.data(), k);
            m_pending.erase(0, k);
            n += k;
            continue;
        }
        if (m_file && m_left > 0) {
            std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(m_left, static_cast<std::int64_t>(cap - n)));
            std::size_t got = std::fread(out + n, 1, want, m_file);
            if (got == 0)
                throw Error(ExitCode::build_push, "a blob of the local image store " +
                                                      m_members[m_index - 1].path + " is shorter than its descriptor says");
            m_left -= static_cast<std::int64_t>(got);
            n += got;
            if (m_left == 0) {
                std::int64_t size = m_members[m_index - 1].size;
                m_pending.append(static_cast<std::size_t>((512 - size % 512) % 512), '\0');
            }
            continue;
        }
        if (!next_member()) break;
    }
    m_total += static_cast<std::int64_t>(n);
    return n;
}

}  // namespace hoist::oci
