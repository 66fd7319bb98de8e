#include "oci/manifest.hpp"

#include "oci/media_types.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::oci {

using nlohmann::json;

namespace {
Error bad(const std::string& where, const std::string& what) {
    return Error(ExitCode::build_push, where + ": " + what);
}

/// `key` of `j` as a string: `fallback` when it is absent, an error naming it when it is another
/// type (a registry's document is untrusted: json::value() would throw a type_error instead).
std::string string_field(const json& j, const char* key, const std::string& fallback, const std::string& where) {
    auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (!it->is_string()) throw bad(where, std::string(key) + " is not a string");
    return it->get<std::string>();
}

std::map<std::string, std::string> annotations_from(const json& j) {
    std::map<std::string, std::string> out;
    if (auto it = j.find("annotations"); it != j.end() && it->is_object())
        for (auto& [k, v] : it->items())
            if (v.is_string()) out[k] = v.get<std::string>();
    return out;
}
}  // namespace

Platform Platform::parse(const std::string& s) {
    auto parts = split(s, '/');
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
        throw usage_error("platform '" + s + "': expected os/architecture[/variant], e.g. linux/amd64");
    Platform p{parts[0], parts[1], parts.size() == 3 ? parts[2] : ""};
    return p;
}

bool Platform::matches(const Platform& o) const {
    if (os != o.os || architecture != o.architecture) return false;
    return variant.empty() || variant == o.variant || (o.variant.empty() && architecture == "arm64" && variant == "v8");
}

const Descriptor* Index::select(const Platform& platform) const {
    for (const auto& d : manifests)
        if (d.platform && platform.matches(*d.platform)) return &d;
    return nullptr;
}

json to_json(const Descriptor& d) {
    json j{{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
    if (!d.annotations.empty()) j["annotations"] = d.annotations;
    if (d.platform) {
        json p{{"architecture", d.platform->architecture}, {"os", d.platform->os}};
        if (!d.platform->variant.empty()) p["variant"] = d.platform->variant;
        j["platform"] = p;
    }
    return j;
}

Descriptor descriptor_from_json(const json& j, const std::string& where) {
    if (!j.is_object()) throw bad(where, "descriptor is not an object");
    Descriptor d;
    d.media_type = string_field(j, "mediaType", "", where);
    auto dg = j.find("digest");
    if (dg == j.end() || !dg->is_string()) throw bad(where, "descriptor without a digest");
    d.digest = Digest::must_parse(dg->get<std::string>(), where);
    auto sz = j.find("size");
    if (sz == j.end() || !sz->is_number_integer() || sz->get<std::int64_t>() < 0)
        throw bad(where, "descriptor " + d.digest.str() + " without a valid size");
    d.size = sz->get<std::int64_t>();
    d.annotations = annotations_from(j);
    if (auto p = j.find("platform"); p != j.end() && p->is_object())
        d.platform = Platform{string_field(*p, "os", "", where + ": platform"),
                              string_field(*p, "architecture", "", where + ": platform"),
                              string_field(*p, "variant", "", where + ": platform")};
    return d;
}

json to_json(const Manifest& m) {
    json j{{"schemaVersion", 2}, {"mediaType", m.media_type}, {"config", to_json(m.config)}};
    j["layers"] = json::array();
    for (auto& l : m.layers) j["layers"].push_back(to_json(l));
    if (!m.annotations.empty()) j["annotations"] = m.annotations;
    return j;
}

json to_json(const Index& i) {
    json j{{"schemaVersion", 2}, {"mediaType", i.media_type}};
    j["manifests"] = json::array();
    for (auto& d : i.manifests) j["manifests"].push_back(to_json(d));
    if (!i.annotations.empty()) j["annotations"] = i.annotations;
    return j;
}

static json parse_doc(const std::string& bytes, const std::string& where) {
    json j = json::parse(bytes, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw bad(where, "not a JSON object");
    auto sv = j.find("schemaVersion");
    if (sv == j.end() || !sv->is_number_integer() || sv->get<std::int64_t>() != 2)
        throw bad(where, "unsupported schemaVersion (want 2)");
    return j;
}

std::string declared_media_type(const std::string& bytes, const std::string& fallback) {
    json j = json::parse(bytes, nullptr, false);
    if (j.is_object() && j.contains("mediaType") && j["mediaType"].is_string()) return j["mediaType"];
    if (j.is_object() && j.contains("manifests")) return fallback.empty() ? std::string(media::oci_index) : fallback;
    return fallback.empty() ? std::string(media::oci_manifest) : fallback;
}

Manifest parse_manifest(const std::string& bytes, const std::string& where) {
    json j = parse_doc(bytes, where);
    Manifest m;
    m.media_type = string_field(j, "mediaType", std::string(media::oci_manifest), where);
    if (!media::is_manifest(m.media_type)) throw bad(where, "media type " + m.media_type + " is not an image manifest");
    if (!j.contains("config")) throw bad(where, "manifest without config");
    m.config = descriptor_from_json(j["config"], where + ": config");
    if (auto l = j.find("layers"); l != j.end() && l->is_array())
        for (std::size_t i = 0; i < l->size(); ++i)
            m.layers.push_back(descriptor_from_json((*l)[i], where + ": layers[" + std::to_string(i) + "]"));
    m.annotations = annotations_from(j);
    return m;
}

Index parse_index(const std::string& bytes, const std::string& where) {
    json j = parse_doc(bytes, where);
    Index i;
    i.media_type = string_field(j, "mediaType", std::string(media::oci_index), where);
    if (!media::is_index(i.media_type)) throw bad(where, "media type " + i.media_type + " is not an index");
    if (auto l = j.find("manifests"); l != j.end() && l->is_array())
        for (std::size_t k = 0; k < l->size(); ++k)
            i.manifests.push_back(descriptor_from_json((*l)[k], where + ": manifests[" + std::to_string(k) + "]"));
    i.annotations = annotations_from(j);
    return i;
}

std::string serialize(const Manifest& m) { return to_json(m).dump(); }
std::string serialize(const Index& i) { return to_json(i).dump(); }

}  // namespace hoist::oci
