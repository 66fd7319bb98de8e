#include "remote/docker.hpp"

namespace hoist::remote {

Command run(const ContainerSpec& s) {
    Command c{{s.runtime, "run", "--detach", "--name", s.name, "--restart", "unless-stopped"}};
    auto add = [&](std::initializer_list<std::string> words) { c.argv.insert(c.argv.end(), words); };
    add({"--label", "hoist.service=" + s.service});
    add({"--label", "hoist.version=" + s.version});
    if (!s.role.empty()) add({"--label", "hoist.role=" + s.role});
    if (!s.color.empty()) add({"--label", "hoist.color=" + s.color});
    if (s.host_port) {
        add({"--label", "hoist.port=" + std::to_string(s.host_port)});
        add({"--publish", std::to_string(s.host_port) + ":" + std::to_string(s.container_port)});
    }
    long long secs = (s.stop_timeout.count() + 999) / 1000;
    add({"--stop-timeout", std::to_string(secs)});
    for (const auto& [k, v] : s.env) add({"--env", k + "=" + v});
    if (!s.env_file.empty()) add({"--env-file", s.env_file});
    for (const auto& v : s.volumes) add({"--volume", v});
    if (s.pull_never) add({"--pull", "never"});
    c.argv.insert(c.argv.end(), s.options.begin(), s.options.end());
    c.argv.push_back(s.image);
    c.argv.insert(c.argv.end(), s.command.begin(), s.command.end());
    return c;
}

Command run_once(const ContainerSpec& s) {
    Command c{{s.runtime, "run", "--rm", "--name", s.name, "--label", "hoist.release=" + s.service}};
    auto add = [&](std::initializer_list<std::string> words) { c.argv.insert(c.argv.end(), words); };
    for (const auto& [k, v] : s.env) add({"--env", k + "=" + v});
    if (!s.env_file.empty()) add({"--env-file", s.env_file});
    for (const auto& v : s.volumes) add({"--volume", v});
    if (s.pull_never) add({"--pull", "never"});
    c.argv.insert(c.argv.end(), s.options.begin(), s.options.end());
    c.argv.push_back(s.image);
    c.argv.insert(c.argv.end(), s.command.begin(), s.command.end());
    return c;
}

Command pull(const std::string& runtime, const std::string& image) { return {{runtime, "pull", "--quiet", image}}; }

Command pull_if_missing(const std::string& runtime, const std::string& image) {
    return {{"sh", "-c", "\"$1\" image inspect \"$2\" >/dev/null 2>&1 || \"$1\" pull --quiet \"$2\"", "sh", runtime,
             image}};
}

Command stop(const std::string& runtime, const std::string& name, std::chrono::milliseconds timeout) {
    long long secs = (timeout.count() + 999) / 1000;
    return {{runtime, "stop", "--time", std::to_string(secs), name}};
}

Command remove(const std::string& runtime, const std::string& name) {
    return {{runtime, "rm", "--force", name}};
}

Command remove_image(const std::string& runtime, const std::string& image) { return {{runtime, "rmi", image}}; }

Command remove(const std::string& runtime, const std::vector<std::string>& names) {
    Command c{{runtime, "rm", "--force"}};
    c.argv.insert(c.argv.end(), names.begin(), names.end());
    return c;
}

Command remove_images(const std::string& runtime, const std::vector<std::string>& images) {
    Command c{{runtime, "rmi"}};
    c.argv.insert(c.argv.end(), images.begin(), images.end());
    return c;
}

Command list_containers(const std::string& runtime, const std::string& service) {
    return {{runtime, "ps", "--all", "--no-trunc", "--filter", "label=hoist.service=" + service, "--format",
             "{{json .}}"}};
}

Command list_all_containers(const std::string& runtime) {
    return {{runtime, "ps", "--all", "--no-trunc", "--format", "{{json .}}"}};
}

Command rename(const std::string& runtime, const std::string& from, const std::string& to) {
    return {{runtime, "rename", from, to}};
}

Command logs(const std::string& runtime, const std::string& name, int tail, bool follow) {
    Command c{{runtime, "logs", "--tail", std::to_string(tail)}};
    if (follow) c.argv.push_back("--follow");
    c.argv.push_back(name);
    return c;
}

Command login(const std::string& runtime, const std::string& registry, const std::string& username) {
    return {{runtime, "login", "--username", username, "--password-stdin", registry}};
}

Command pull_with_auth(const std::string& runtime, const std::string& image, bool if_missing) {
    bool podman = runtime.find("podman") != std::string::npos;
    std::string pull = podman ? "\"$1\" pull --quiet --authfile \"$d/config.json\" \"$2\""
                              : "DOCKER_CONFIG=\"$d\" \"$1\" pull --quiet \"$2\"";
    if (if_missing) pull = "{ \"$1\" image inspect \"$2\" >/dev/null 2>&1 || " + pull + "; }";
    // The directory goes on the way out, also when the pull is cut short (a timeout's TERM, a
    // dropped connection's HUP): the credentials must not stay on the host.
    return {{"sh", "-c",
             "d=; trap '[ -z \"$d\" ] || rm -rf \"$d\"' EXIT; trap 'exit 143' TERM; trap 'exit 129' HUP; "
             "trap 'exit 130' INT; umask 077; "
             "for b in /dev/shm \"$XDG_RUNTIME_DIR\" \"${TMPDIR:-/tmp}\"; do "
             "[ -n \"$b\" ] && [ -d \"$b\" ] && [ -w \"$b\" ] && d=$(mktemp -d \"$b/hoist-pull.XXXXXXXX\" 2>/dev/null) "
             "&& break; done; "
             "[ -n \"$d\" ] || { echo 'no private directory for the registry credentials (mktemp -d failed)' >&2; "
             "exit 1; }; "
             "cat > \"$d/config.json\" || exit 1; " + pull,
             "sh", runtime, image}};
}

Command image_layer_lists(const std::string& runtime) {
    const std::string engine =
        runtime == "docker" ? "printf 'engine %s\\n' \"${DOCKER_HOST:-unix:///var/run/docker.sock}\"; " : "";
    return {{"sh", "-c",
             engine + "ids=$(\"$1\" image ls --quiet --no-trunc | sort -u) || exit 1; [ -z \"$ids\" ] || "
             "\"$1\" image inspect --format '{{.Id}} {{json .RootFS.Layers}}' $ids",
             "sh", runtime}};
}

Command load_image(const std::string& runtime, const std::string& config_hex, const std::string& image) {
    // `load` verifies each layer it reads against the config's diff IDs and names the image by the
    // config's digest; an image ID other than the one sent means the host loaded something else.
    return {{"sh", "-c",
             "out=$(\"$1\" load --quiet) || { echo \"$out\" >&2; exit 1; }; "
             "case \"$out\" in *\"$2\"*) ;; *) echo \"the runtime loaded '$out', not the image sent (sha256:$2)\" >&2; "
             "exit 1;; esac; \"$1\" tag \"$2\" \"$3\"",
             "sh", runtime, config_hex, image}};
}

Command tag_image(const std::string& runtime, const std::string& id_hex, const std::string& image) {
    return {{runtime, "tag", id_hex, image}};
}

Command image_exists(const std::string& runtime, const std::string& image) {
    return {{runtime, "image", "inspect", "--format", "{{.Id}}", image}};
}

Command start(const std::string& runtime, const std::string& name) { return {{runtime, "start", name}}; }

Command inspect_state(const std::string& runtime, const std::string& name) {
    return {{runtime, "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}", name}};
}

Command list_image_tags(const std::string& runtime, const std::string& repository) {
    return {{runtime, "images", "--format", "{{.Tag}}", repository}};
}

Command disk_free_kib(const std::string& runtime) {
    // df needs the path of the runtime's storage, which only the runtime knows; `sh -c` keeps the
    // substitution on the host while the argv stays quoted in one place.
    std::string fmt = runtime == "podman" ? "{{.Store.GraphRoot}}" : "{{.DockerRootDir}}";
    return {{"sh", "-c", "d=$(\"$1\" info --format \"$2\") || exit 3; df -Pk \"$d\" | awk 'NR==2 {print $4}'", "sh",
             runtime, fmt}};
}

std::string state_dir(const std::string& service) { return ".hoist/" + service; }

std::string env_file_path(const std::string& service, const std::string& container_name) {
    return state_dir(service) + "/" + container_name + ".env";
}

}  // namespace hoist::remote
