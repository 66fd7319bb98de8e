#include "image/layer_cache.hpp"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "oci/gzip_stream.hpp"
#include "util/error.hpp"
#include "util/json_fields.hpp"

namespace hoist::image {

namespace fs = std::filesystem;
using nlohmann::json;

LayerCache::LayerCache(oci::ImageStore& store) : m_store(store), m_dir(store.dir() + "/hoist-build") {
    fs::create_directories(m_dir + "/layers");
    std::string path = m_dir + "/stat-cache.json";
    if (!fs::exists(path)) return;
    auto j = json::parse(oci::read_file(path), nullptr, false);
    if (!j.is_object()) return;  // a damaged cache is only a slower build
    for (auto& [file, r] : j.items()) {
        StatRecord s;
        s.size = integer_at(r, "size", -1);
        s.mtime_ns = integer_at(r, "mtime_ns");
        s.inode = static_cast<std::uint64_t>(integer_at(r, "inode"));
        s.digest = text_at(r, "digest");
        m_stats[file] = s;
    }
}

std::optional<oci::Digest> LayerCache::known_content(const LayerEntry& e) const {
    if (e.content) return oci::sha256_of(*e.content);
    auto it = m_stats.find(e.source);
    if (it == m_stats.end()) return std::nullopt;
    const auto& s = it->second;
    if (s.size != e.size || s.mtime_ns != e.source_mtime_ns || s.inode != e.source_inode) return std::nullopt;
    return oci::Digest::parse(s.digest);
}

oci::Digest LayerCache::hash_content(const LayerEntry& e) {
    if (e.content) return oci::sha256_of(*e.content);
    oci::Digest d = oci::sha256_file(e.source);
    remember_content(e, d);
    return d;
}

void LayerCache::remember_content(const LayerEntry& e, const oci::Digest& d) {
    if (e.content || e.source.empty()) return;
    m_stats[e.source] = StatRecord{e.size, e.source_mtime_ns, e.source_inode, d.str()};
    m_dirty = true;
}

oci::Digest LayerCache::key(const std::string& instruction, const std::vector<LayerEntry>& entries,
                            const std::vector<oci::Digest>& contents) {
    oci::Sha256 h;
    h.update("hoist-layer-v1\n");
    h.update(instruction);
    h.update("\n", 1);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        std::string line = e.path + '\0' + std::to_string(int(e.type)) + ' ' + std::to_string(e.mode) + ' ' +
                           std::to_string(e.uid) + ' ' + std::to_string(e.gid) + ' ' + std::to_string(e.size) + ' ' +
                           e.link + ' ' + (i < contents.size() ? contents[i].str() : std::string()) + '\n';
        h.update(line);
    }
    return h.finish();
}

std::optional<LayerCache::Hit> LayerCache::lookup(const oci::Digest& key) const {
    std::string path = m_dir + "/layers/" + key.hex;
    if (!fs::exists(path)) return std::nullopt;
    auto j = json::parse(oci::read_file(path), nullptr, false);
    if (!j.is_object()) return std::nullopt;
    auto diff = oci::Digest::parse(text_at(j, "diff_id"));
    if (!diff || !j.contains("blob")) return std::nullopt;
    Hit hit{*diff, oci::descriptor_from_json(j["blob"], path)};
    if (!m_store.has_blob(hit.blob.digest)) return std::nullopt;
    return hit;
}

void LayerCache::store(const oci::Digest& key, const Hit& hit) {
    json j = {{"diff_id", hit.diff_id.str()}, {"blob", oci::to_json(hit.blob)}};
    oci::write_file_atomic(m_dir + "/layers/" + key.hex, j.dump());
}

std::optional<PreviousBlob> LayerCache::previous(const oci::Digest& slot) const {
    std::string path = m_dir + "/blocks/" + slot.hex;
    if (!fs::exists(path)) return std::nullopt;
    auto j = json::parse(oci::read_file(path), nullptr, false);
    if (!j.is_object() || !j.contains("blocks")) return std::nullopt;
    if (text_at(j, "codec") != oci::gzip_codec()) return std::nullopt;  // another compressor's members
    auto d = oci::Digest::parse(text_at(j, "blob"));
    if (!d || !m_store.has_blob(*d)) return std::nullopt;
    PreviousBlob p;
    p.path = m_store.blob_path(*d);
    for (auto& b : j["blocks"]) p.blocks.push_back(GzipBlock{b[0].get<std::string>(), b[1].get<std::int64_t>(), b[2].get<std::int64_t>()});
    return p;
}

void LayerCache::remember_blocks(const oci::Digest& slot, const oci::Descriptor& blob, const std::vector<GzipBlock>& blocks) {
    fs::create_directories(m_dir + "/blocks");
    json list = json::array();
    for (auto& b : blocks) list.push_back({b.sha256, b.offset, b.length});
    oci::write_file_atomic(m_dir + "/blocks/" + slot.hex, json{{"blob", blob.digest.str()}, {"codec", oci::gzip_codec()}, {"blocks", list}}.dump());
}

void LayerCache::save() {
    if (!m_dirty) return;
    json j = json::object();
    for (auto& [file, s] : m_stats)
        j[file] = {{"size", s.size}, {"mtime_ns", s.mtime_ns}, {"inode", s.inode}, {"digest", s.digest}};
    oci::write_file_atomic(m_dir + "/stat-cache.json", j.dump());
    m_dirty = false;
}

}  // namespace hoist::image
