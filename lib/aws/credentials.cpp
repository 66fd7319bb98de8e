// The credential chain. Each step either returns keys, or says in one phrase what it saw, and the
// phrases become the error when no step has keys: "hoist looked in: the environment (...); ...".
#include "aws/credentials.hpp"

#include <cstdlib>
#include <ctime>

#include "aws/error.hpp"
#include "aws/imds.hpp"
#include "aws/profile_files.hpp"
#include "util/strings.hpp"

namespace hoist::aws {

Env process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v || !*v) return std::nullopt;
        return std::string(v);
    };
}

namespace {

std::string expand(const Env& env, const std::string& path) {
    if (path == "~" || starts_with(path, "~/")) return env("HOME").value_or("") + path.substr(1);
    return path;
}

std::string profile_name(const Env& env) {
    return env("AWS_PROFILE").value_or(env("AWS_DEFAULT_PROFILE").value_or("default"));
}
std::string credentials_path(const Env& env) {
    return expand(env, env("AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials"));
}
std::string config_path(const Env& env) {
    return expand(env, env("AWS_CONFIG_FILE").value_or("~/.aws/config"));
}

/// Keys from one profile section, or nullopt with `seen` describing the section.
std::optional<Credentials> from_section(const ProfileSection& s, const std::string& where,
                                        std::string& seen) {
    auto get = [&](const char* k) {
        auto it = s.find(k);
        return it == s.end() ? std::string() : it->second;
    };
    std::string id = get("aws_access_key_id"), secret = get("aws_secret_access_key");
    if (!id.empty() && !secret.empty()) {
        Credentials c;
        c.access_key_id = id;
        c.secret_access_key = Secret(secret);
        c.session_token = Secret(get("aws_session_token"));
        c.source = where;
        return c;
    }
    if (!id.empty() || !secret.empty()) {
        throw Error("", where + " has " + (id.empty() ? "aws_secret_access_key" : "aws_access_key_id") +
                            " without " + (id.empty() ? "aws_access_key_id" : "aws_secret_access_key"));
    }
    for (const char* k :
         {"role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file"})
        if (!get(k).empty())
            throw Error(
                "", where + " gets its keys through '" + k +
                        "', which hoist does not support; export "
                        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN (e.g. from `aws configure "
                        "export-credentials --format env`) or use a profile with static keys");
    seen = where + " has no keys";
    return std::nullopt;
}

}  // namespace

Credentials resolve_credentials(const ChainOptions& o) {
    const Env& env = o.env;
    std::vector<std::string> looked;

    auto id = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
    if (id && secret) {
        Credentials c;
        c.access_key_id = *id;
        c.secret_access_key = Secret(*secret);
        c.session_token = Secret(env("AWS_SESSION_TOKEN").value_or(env("AWS_SECURITY_TOKEN").value_or("")));
        c.source = "the environment (AWS_ACCESS_KEY_ID)";
        return c;
    }
    if (id || secret)
        throw Error("", std::string(id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is set but " +
                            (id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is not");
    looked.push_back("the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set)");

    std::string profile = profile_name(env);
    bool explicit_profile = env("AWS_PROFILE") || env("AWS_DEFAULT_PROFILE");
    bool found_profile = false;
    for (bool config : {false, true}) {
        std::string path = config ? config_path(env) : credentials_path(env);
        bool exists = false;
        ProfileFile file = read_profile_file(path, config, &exists);
        std::string where = "profile '" + profile + "' in " + path;
        if (!exists) {
            looked.push_back(path + " (no such file)");
            continue;
        }
        auto it = file.find(profile);
        if (it == file.end()) {
            looked.push_back(path + " (no profile '" + profile + "')");
            continue;
        }
        found_profile = true;
        std::string seen;
        if (auto c = from_section(it->second, where, seen)) return *c;
        looked.push_back(seen);
    }
    if (explicit_profile && !found_profile)
        throw Error("", "AWS profile '" + profile + "' (AWS_PROFILE) is not in " + credentials_path(env) +
                            " or " + config_path(env));

    if (to_lower(env("AWS_EC2_METADATA_DISABLED").value_or("")) == "true") {
        looked.push_back("the instance metadata service (AWS_EC2_METADATA_DISABLED=true)");
    } else {
        ImdsOptions io;
        io.endpoint = imds_endpoint(env);
        io.transport = o.transport;
        io.timeout_s = o.imds_timeout_s;
        std::string why;
        if (auto c = imds_credentials(io, why)) return *c;
        looked.push_back("the instance metadata service (" + why + ")");
    }
    throw Error("", "no AWS credentials found; hoist looked in " + join(looked, "; "));
}

std::string resolve_region(const std::string& configured, const ChainOptions& o) {
    if (!configured.empty()) return configured;
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"})
        if (auto v = o.env(name)) return *v;
    std::string profile = profile_name(o.env);
    std::string path = config_path(o.env);
    ProfileFile file = read_profile_file(path, true);
    if (auto it = file.find(profile); it != file.end())
        if (auto r = it->second.find("region"); r != it->second.end() && !r->second.empty()) return r->second;
    throw Error(
        "",
        "no AWS region: set 'region' in the pipeline, AWS_REGION or AWS_DEFAULT_REGION, or 'region' in "
        "profile '" +
            profile + "' of " + path);
}

Credentials CredentialProvider::get() {
    std::lock_guard<std::mutex> lock(m_mutex);
    long long now = static_cast<long long>(std::time(nullptr));
    if (!m_have || (m_cached.expires_epoch_s != 0 && m_cached.expires_epoch_s - 300 < now)) {
        m_cached = resolve_credentials(m_options);
        m_have = true;
    }
    return m_cached;
}

void CredentialProvider::invalidate() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_have = false;
}

}  // namespace hoist::aws
