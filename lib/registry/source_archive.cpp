// Image sources: docker-archive tarballs and the Docker Engine. See sources.hpp.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "oci/media_types.hpp"
#include "oci/gzip_stream.hpp"
#include "oci/tar_index.hpp"
#include "registry/engine_endpoint.hpp"
#include "registry/errors.hpp"
#include "registry/sources.hpp"
#include "http/url.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/json_fields.hpp"

namespace hoist::registry {

using nlohmann::json;

namespace {
Error archive_error(const std::string& file, const std::string& what) {
    return Error(ExitCode::build_push, file + ": " + what);
}

std::string read_member(const std::string& file, const oci::TarMember& m) {
    oci::FileRangeStream s(file, m.offset, m.size);
    std::string out(static_cast<std::size_t>(m.size), '\0');
    std::size_t got = 0;
    while (got < out.size()) {
        std::size_t n = s.read(out.data() + got, out.size() - got);
        if (n == 0) break;
        got += n;
    }
    return out;
}

const oci::TarMember& member(const std::map<std::string, oci::TarMember>& idx, const std::string& file,
                             const std::string& name) {
    auto it = idx.find(name);
    if (it == idx.end()) throw archive_error(file, "'" + name + "' named in manifest.json is not in the archive");
    return it->second;
}

oci::Manifest make_manifest(const oci::Descriptor& config, const std::vector<oci::Descriptor>& layers) {
    oci::Manifest m;
    m.media_type = std::string(oci::media::docker_manifest);
    m.config = config;
    m.layers = layers;
    return m;
}
}  // namespace

PushPlan plan_from_docker_archive(const std::string& file, oci::ImageStore& cache) {
    auto idx = oci::index_tar(file);
    auto mit = idx.find("manifest.json");
    if (mit == idx.end()) throw archive_error(file, "not a docker-archive (no manifest.json; is it a `docker save` tarball?)");
    json mj = json::parse(read_member(file, mit->second), nullptr, false);
    if (mj.is_discarded() || !mj.is_array() || mj.empty() || !mj[0].is_object())
        throw archive_error(file, "manifest.json is not a list of images");
    const json& entry = mj[0];
    std::string config_name = text_at(entry, "Config");
    std::string config_bytes = read_member(file, member(idx, file, config_name));
    json config = json::parse(config_bytes, nullptr, false);
    if (config.is_discarded() || !config.is_object()) throw archive_error(file, config_name + " is not a JSON image config");
    std::vector<std::string> diff_ids;
    if (config.contains("rootfs") && config["rootfs"].contains("diff_ids") && config["rootfs"]["diff_ids"].is_array())
        for (auto& d : config["rootfs"]["diff_ids"]) {
            if (!d.is_string()) throw archive_error(file, config_name + " has a diff_id that is not a string");
            diff_ids.push_back(d.get<std::string>());
        }
    std::vector<std::string> layer_names;
    if (entry.contains("Layers") && entry["Layers"].is_array())
        for (auto& l : entry["Layers"]) {
            if (!l.is_string()) throw archive_error(file, "manifest.json names a layer that is not a file name");
            layer_names.push_back(l.get<std::string>());
        }
    if (layer_names.size() != diff_ids.size())
        throw archive_error(file, "manifest.json lists " + std::to_string(layer_names.size()) + " layers but the config has " +
                                      std::to_string(diff_ids.size()) + " diff_ids");

    PushPlan plan;
    oci::Descriptor config_desc = cache.put_blob(config_bytes, std::string(oci::media::docker_config));
    {
        BlobSpec b;
        b.label = "config";
        b.media_type = config_desc.media_type;
        b.known = config_desc;
        std::string path = cache.blob_path(config_desc.digest);
        b.open = [path]() { return std::make_unique<oci::FileRangeStream>(path); };
        plan.blobs.push_back(std::move(b));
    }
    // For each layer: index into plan.blobs and its diff ID when hoist compresses it.
    std::vector<std::optional<oci::Digest>> compress_diff_id(layer_names.size() + 1);
    bool all_known = true;
    std::vector<oci::Descriptor> known_layers;
    for (std::size_t i = 0; i < layer_names.size(); ++i) {
        const oci::TarMember m = member(idx, file, layer_names[i]);
        BlobSpec b;
        b.label = "layer " + std::to_string(i + 1) + "/" + std::to_string(layer_names.size());
        b.media_type = std::string(oci::media::docker_layer_gzip);
        if (oci::is_gzip(file, m.offset)) {
            // Already compressed: push as is; its digest is the hash of the member.
            oci::FileRangeStream s(file, m.offset, m.size);
            oci::Sha256 h;
            std::vector<char> buf(1 << 20);
            while (std::size_t n = s.read(buf.data(), buf.size())) h.update(buf.data(), n);
            b.known = oci::Descriptor{b.media_type, h.finish(), m.size, {}, {}};
            b.open = [file, m]() { return std::make_unique<oci::FileRangeStream>(file, m.offset, m.size); };
        } else {
            oci::Digest diff_id = oci::Digest::must_parse(diff_ids[i], file + ": diff_ids[" + std::to_string(i) + "]");
            if (auto c = cache.compressed_for(diff_id)) {
                b.known = *c;
                b.known_is_hint = true;  // what compressing gave last time (see BlobSpec)
            }
            compress_diff_id[plan.blobs.size()] = diff_id;
            b.open = [file, m]() {
                return std::make_unique<oci::GzipStream>(std::make_unique<oci::FileRangeStream>(file, m.offset, m.size),
                                                         oci::default_gzip_level);
            };
        }
        if (b.known) known_layers.push_back(*b.known);
        else all_known = false;
        plan.blobs.push_back(std::move(b));
    }
    if (all_known) plan.expected_digest = oci::sha256_of(oci::serialize(make_manifest(config_desc, known_layers)));
    plan.on_blob = [&cache, compress_diff_id](std::size_t i, const BlobResult& r) {
        if (i < compress_diff_id.size() && compress_diff_id[i] && r.action == BlobAction::uploaded)
            cache.remember_compressed(*compress_diff_id[i],
                                      oci::Descriptor{std::string(oci::media::docker_layer_gzip), r.digest, r.size, {}, {}});
    };
    plan.manifests = [config_desc](const std::vector<BlobResult>& results) {
        std::vector<oci::Descriptor> layers;
        for (std::size_t i = 1; i < results.size(); ++i)
            layers.push_back(oci::Descriptor{std::string(oci::media::docker_layer_gzip), results[i].digest, results[i].size, {}, {}});
        std::string bytes = oci::serialize(make_manifest(config_desc, layers));
        return std::vector<ManifestToPush>{{"", bytes, std::string(oci::media::docker_manifest)}};
    };
    return plan;
}

void save_from_daemon(const std::string& image, const std::string& docker_host, const std::string& out_file) {
    auto engine = engine_endpoint(docker_host);
    const std::string& host = engine.host;
    http::Request r = engine.request("GET", "/images/" + http::url_encode(image) + "/get");
    std::FILE* f = std::fopen(out_file.c_str(), "wb");
    if (!f) throw Error(ExitCode::build_push, out_file + ": " + std::strerror(errno));
    bool write_failed = false;
    r.sink = [&](const char* data, std::size_t n) {
        if (std::fwrite(data, 1, n, f) != n) write_failed = true;
        return !write_failed;
    };
    http::Response resp = http::perform(r);
    bool close_failed = std::fclose(f) != 0;
    if (resp.curl_code != 0 && !write_failed)
        throw Error(ExitCode::build_push, "Docker Engine at " + host + ": " + resp.curl_error);
    if (write_failed || close_failed) throw Error(ExitCode::build_push, out_file + ": write failed (disk full?)");
    if (resp.status != 200) {
        std::string msg = registry_error_codes(resp.body);
        throw Error(ExitCode::build_push, "Docker Engine at " + host + ": saving image '" + image + "': HTTP " +
                                              std::to_string(resp.status) + (msg.empty() ? "" : ": " + msg));
    }
}

}  // namespace hoist::registry
