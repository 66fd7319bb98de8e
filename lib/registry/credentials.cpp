#include "registry/credentials.hpp"

#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "oci/image_store.hpp"
#include "util/base64.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::registry {

using nlohmann::json;

std::string docker_config_dir() {
    const char* d = std::getenv("DOCKER_CONFIG");
    if (d && *d) return d;
    const char* home = std::getenv("HOME");
    return std::string(home ? home : ".") + "/.docker";
}

namespace {
bool is_docker_hub(const std::string& r) {
    return r == "docker.io" || r == "index.docker.io" || r == "registry-1.docker.io";
}

std::string strip_key(std::string k) {
    for (const char* p : {"https://", "http://"})
        if (starts_with(k, p)) k = k.substr(std::string(p).size());
    if (auto slash = k.find('/'); slash != std::string::npos) k = k.substr(0, slash);
    return to_lower(k);
}

/// Runs `docker-credential-<helper> get`; nullopt when the helper does not know the host.
std::optional<Credentials> from_helper(const std::string& helper, const std::string& server) {
    std::string prog = "docker-credential-" + helper;
    ProcessOptions o;
    o.input = server;
    o.timeout = std::chrono::seconds(60);  // a helper waiting for a prompt nobody answers
    ProcessResult r = run_process({prog, "get"}, o);
    if (r.timed_out)
        throw Error(ExitCode::build_push, "credential helper '" + prog + "' did not answer for " + server +
                                              " within 60 s (is it waiting for a prompt or a locked keychain?)");
    if (r.exit_code == -1 || r.exit_code == 127)
        throw Error(ExitCode::build_push, "credential helper '" + prog + "' (configured in config.json for " +
                                              server + ") could not be run: is it installed and on PATH?");
    if (r.exit_code != 0) return std::nullopt;  // "credentials not found in native keychain"
    return parse_helper_answer(r.out, helper);
}

/// `key` of object `j` when it is a string, else "" (json::value() throws for other types).
std::string string_field(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<Credentials> from_auths(const json& cfg, const std::string& registry, const std::string& path) {
    auto a = cfg.find("auths");
    if (a == cfg.end() || !a->is_object()) return std::nullopt;
    for (auto& [key, entry] : a->items()) {
        if (!entry.is_object() || !auth_key_matches(key, registry)) continue;
        Credentials c;
        c.source = path + " auths[\"" + key + "\"]";
        if (auto auth = string_field(entry, "auth"); !auth.empty()) {
            auto decoded = base64_decode(auth);
            auto colon = decoded ? decoded->find(':') : std::string::npos;
            if (!decoded || colon == std::string::npos)
                throw Error(ExitCode::build_push, path + ": auths[\"" + key + "\"].auth is not base64 of user:password");
            c.username = decoded->substr(0, colon);
            c.password = Secret(decoded->substr(colon + 1));
        } else {
            c.username = string_field(entry, "username");
            c.password = Secret(string_field(entry, "password"));
        }
        if (auto tok = string_field(entry, "identitytoken"); !tok.empty()) c.identity_token = Secret(tok);
        if (!c.anonymous()) return c;
    }
    return std::nullopt;
}

/// Servers to ask a helper for, in order (Docker Hub is stored under its legacy URL).
std::vector<std::string> helper_servers(const std::string& registry) {
    if (is_docker_hub(registry)) return {"https://index.docker.io/v1/", "docker.io"};
    return {registry, "https://" + registry};
}
}  // namespace

std::optional<Credentials> parse_helper_answer(const std::string& out, const std::string& helper) {
    json j = json::parse(out, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw Error(ExitCode::build_push, "credential helper 'docker-credential-" + helper +
                                              "' answered with something that is not a JSON object");
    Credentials c;
    std::string user = string_field(j, "Username");
    std::string secret = string_field(j, "Secret");
    if (user == "<token>") {
        c.identity_token = Secret(secret);
    } else {
        c.username = user;
        c.password = Secret(secret);
    }
    c.source = "docker-credential-" + helper;
    if (c.anonymous()) return std::nullopt;
    return c;
}

std::optional<Credentials> credentials_from_auths(const std::string& config_text, const std::string& registry,
                                                  const std::string& path) {
    json cfg = json::parse(config_text, nullptr, false);
    if (cfg.is_discarded() || !cfg.is_object())
        throw Error(ExitCode::build_push, path + ": not valid JSON; cannot read registry credentials");
    return from_auths(cfg, registry, path);
}

bool auth_key_matches(const std::string& key, const std::string& registry) {
    std::string k = strip_key(key);
    if (is_docker_hub(registry)) return is_docker_hub(k);
    return k == to_lower(registry);
}

Credentials credentials_from_docker_config(const std::string& registry, const std::string& config_dir) {
    Credentials anon;
    anon.source = "anonymous";
    std::string path = config_dir + "/config.json";
    if (!std::filesystem::exists(path)) return anon;
    json cfg = json::parse(oci::read_file(path), nullptr, false);
    if (cfg.is_discarded() || !cfg.is_object())
        throw Error(ExitCode::build_push, path + ": not valid JSON; cannot read registry credentials");

    if (auto h = cfg.find("credHelpers"); h != cfg.end() && h->is_object())
        for (auto& [key, helper] : h->items())
            if (helper.is_string() && auth_key_matches(key, registry))
                for (auto& server : helper_servers(registry))
                    if (auto c = from_helper(helper.get<std::string>(), server)) {
                        c->source = "credHelpers (" + c->source + ")";
                        return *c;
                    }

    if (auto s = cfg.find("credsStore"); s != cfg.end() && s->is_string() && !s->get<std::string>().empty())
        for (auto& server : helper_servers(registry))
            if (auto c = from_helper(s->get<std::string>(), server)) {
                c->source = "credsStore (" + c->source + ")";
                return *c;
            }

    if (auto c = from_auths(cfg, registry, path)) return *c;
    return anon;
}

Secret host_auth_document(const std::string& registry, const Credentials& c) {
    if (c.anonymous()) return {};
    json entry = json::object();
    if (!c.identity_token.empty()) {
        entry["identitytoken"] = c.identity_token.reveal();
        if (!c.username.empty()) entry["auth"] = base64_encode(c.username + ":");
    } else {
        Secret basic(c.username + ":" + c.password.reveal());
        entry["auth"] = base64_encode(basic.reveal());
    }
    json doc = {{"auths", {{is_docker_hub(registry) ? "https://index.docker.io/v1/" : registry, entry}}}};
    Secret out(doc.dump());
    // the json values hold copies: wipe them before they are freed
    for (auto& [k, v] : entry.items()) explicit_bzero(v.get_ref<std::string&>().data(), v.get_ref<std::string&>().size());
    for (auto& [k, v] : doc["auths"].items())
        for (auto& [k2, v2] : v.items()) explicit_bzero(v2.get_ref<std::string&>().data(), v2.get_ref<std::string&>().size());
    return out;
}

}  // namespace hoist::registry
