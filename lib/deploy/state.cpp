#include "deploy/state.hpp"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "util/strings.hpp"
#include "util/json_fields.hpp"

namespace hoist::deploy {

namespace {

/// Docker prints labels as "k=v,k=v"; podman as an object.
std::map<std::string, std::string> labels_of(const nlohmann::json& j) {
    std::map<std::string, std::string> out;
    if (j.is_object()) {
        for (auto& [k, v] : j.items())
            if (v.is_string()) out[k] = v.get<std::string>();
    } else if (j.is_string()) {
        for (const auto& kv : split(j.get<std::string>(), ',')) {
            auto eq = kv.find('=');
            if (eq != std::string::npos) out[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
    }
    return out;
}

std::string string_or_first(const nlohmann::json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_array() && !j.empty() && j[0].is_string()) return j[0].get<std::string>();
    return "";
}

}  // namespace

std::vector<ObservedContainer> of_role(std::vector<ObservedContainer> list, const std::string& role) {
    std::erase_if(list, [&](const ObservedContainer& c) { return c.role != role; });
    return list;
}

std::vector<ObservedContainer> parse_container_list(const std::string& out, const std::string& service) {
    // docker prints one object a line; podman (4.x) one indented JSON array of them all
    std::vector<nlohmann::json> objects;
    auto whole = nlohmann::json::parse(out, nullptr, false);
    if (!whole.is_discarded() && whole.is_array()) {
        for (const auto& j : whole)
            if (j.is_object()) objects.push_back(j);
    } else {
        for (const auto& line : split(out, '\n')) {
            std::string t = trim(line);
            if (t.empty() || t[0] != '{') continue;
            auto j = nlohmann::json::parse(t, nullptr, false);
            if (!j.is_discarded() && j.is_object()) objects.push_back(std::move(j));
        }
    }
    std::vector<ObservedContainer> list;
    for (const auto& j : objects) {
        auto labels = labels_of(j.value("Labels", nlohmann::json()));
        if (!labels.count("hoist.service")) continue;
        if (!service.empty() && labels["hoist.service"] != service) continue;
        ObservedContainer c;
        c.name = string_or_first(j.value("Names", nlohmann::json()));
        c.version = labels["hoist.version"];
        c.color = labels.count("hoist.color") ? labels["hoist.color"] : "";
        if (labels.count("hoist.role") && !labels["hoist.role"].empty()) c.role = labels["hoist.role"];
        c.state = to_lower(text_at(j, "State"));
        c.image = text_at(j, "Image");
        if (auto p = parse_int(labels["hoist.port"])) c.port = static_cast<int>(*p);
        // `created` orders containers (newest live one, rollback target): docker's CreatedAt is
        // "2026-12-04 09:05:00 +0000 UTC"; podman's CreatedAt is relative ("3 minutes ago"), its
        // Created the Unix time, written here in docker's form so that both compare alike
        auto created = j.value("CreatedAt", nlohmann::json());
        auto epoch = j.value("Created", nlohmann::json());
        if (epoch.is_number_integer()) {
            std::time_t t = epoch.get<std::time_t>();
            std::tm tm{};
            gmtime_r(&t, &tm);
            char buf[64];
            std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
            c.created = buf;
        } else {
            c.created = created.is_string() ? created.get<std::string>() : created.dump();
        }
        if (!c.name.empty()) list.push_back(c);
    }
    return list;
}

std::vector<ObservedContainer> parse_unlabelled_containers(const std::string& out) {
    std::vector<ObservedContainer> list;
    for (const auto& line : split(out, '\n')) {
        std::string t = trim(line);
        if (t.empty() || t[0] != '{') continue;
        auto j = nlohmann::json::parse(t, nullptr, false);
        if (j.is_discarded() || !j.is_object()) continue;
        if (labels_of(j.value("Labels", nlohmann::json())).count("hoist.service")) continue;
        ObservedContainer c;
        c.name = string_or_first(j.value("Names", nlohmann::json()));
        c.state = to_lower(text_at(j, "State"));
        c.image = text_at(j, "Image");
        auto created = j.value("CreatedAt", nlohmann::json());
        c.created = created.is_string() ? created.get<std::string>() : created.dump();
        auto ports = j.value("Ports", nlohmann::json());
        auto add = [&c](long long port, long long range) {
            for (long long i = 0; i < std::max(1LL, range) && i < 65536; ++i)
                if (port + i > 0 && port + i < 65536 &&
                    std::find(c.published.begin(), c.published.end(), port + i) == c.published.end())
                    c.published.push_back(static_cast<int>(port + i));
        };
        if (ports.is_string()) {
            // docker: "0.0.0.0:8080->80/tcp, :::8080->80/tcp, 9000/tcp" (the last only exposed)
            for (const auto& part : split(ports.get<std::string>(), ',')) {
                std::string s = trim(part);
                auto arrow = s.find("->");
                if (arrow == std::string::npos) continue;
                std::string host = s.substr(0, arrow);
                host = host.substr(host.rfind(':') == std::string::npos ? 0 : host.rfind(':') + 1);
                auto dash = host.find('-');
                auto from = parse_int(host.substr(0, dash));
                auto to = dash == std::string::npos ? from : parse_int(host.substr(dash + 1));
                if (from && to && *to >= *from) add(*from, *to - *from + 1);
            }
        } else if (ports.is_array()) {
            // podman: [{"host_port": 8080, "container_port": 80, "range": 1, ...}]
            for (const auto& o : ports)
                if (o.is_object() && o.value("host_port", nlohmann::json()).is_number_integer())
                    add(o["host_port"].get<long long>(),
                        o.value("range", nlohmann::json()).is_number_integer() ? o["range"].get<long long>() : 1);
        }
        if (!c.name.empty()) list.push_back(c);
    }
    return list;
}

void adopt_foreign(std::map<std::string, ObservedHost>& hosts, const std::string& service) {
    for (auto& [address, h] : hosts) {
        if (h.foreign.size() != 1 || !h.container.empty()) continue;
        ObservedContainer c = h.foreign.front();
        h.adopt_from = c.name;
        c.name = service + "-" + adopted_version;
        c.version = adopted_version;
        if (!c.port && !c.published.empty()) c.port = c.published.front();
        h.foreign.clear();
        h.container = c.name;
        h.version = c.version;
        h.port = c.port;
        h.image = c.image;
        h.color.clear();
        h.containers.push_back(c);
    }
}

bool ObservedHost::has(const std::string& name) const { return find(name) != nullptr; }

const ObservedContainer* ObservedHost::find(const std::string& name) const {
    for (const auto& c : containers)
        if (c.name == name) return &c;
    return nullptr;
}

ObservedHost live_host(std::vector<ObservedContainer> containers, const lb::Member* member) {
    ObservedHost h;
    const ObservedContainer* live = nullptr;
    if (member && member->enabled)
        for (const auto& c : containers)
            if (c.running() && c.port == member->port) live = &c;
    if (!live)
        for (const auto& c : containers)
            if (c.running() && (!live || c.created > live->created)) live = &c;
    if (live) {
        h.version = live->version;
        h.container = live->name;
        h.color = live->color;
        h.port = live->port;
        h.image = live->image;
    }
    h.containers = std::move(containers);
    return h;
}

}  // namespace hoist::deploy
