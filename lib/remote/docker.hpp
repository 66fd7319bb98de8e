#pragma once
/// Pure builders of the container-runtime commands hoist runs on hosts (docker or podman, same CLI).
/// Nothing here talks to a host; tests assert the exact argv.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "remote/shell.hpp"

namespace hoist::remote {

/// Everything `docker run` needs for one hoist container.
struct ContainerSpec {
    std::string runtime = "docker";
    std::string name;     ///< <service>-<tag> (rolling) or <service>-<color> (blue/green)
    std::string image;    ///< full reference with tag
    std::string service;
    std::string version;  ///< the tag
    std::string color;    ///< blue | green | empty
    std::string role;     ///< hoist.role: web, or a role of spec section 6; empty: no label
    int host_port = 0;    ///< 0: nothing published (a role besides web)
    int container_port = 0;
    std::map<std::string, std::string> env;
    std::string env_file;  ///< path on the host of the 0600 secret env file, empty: none
    std::vector<std::string> volumes;
    std::vector<std::string> options;  ///< passed through as given
    std::vector<std::string> command;  ///< overrides CMD when non-empty
    std::chrono::milliseconds stop_timeout{30000};
    bool existing = false;  ///< started again, not run: the container taken over with deploy --adopt
    bool pull_never = false;  ///< registry.direct: the image was sent; never let `run` reach for a registry
};

Command run(const ContainerSpec& spec);
/// A one-off container in the foreground (`--rm`): the release command. Labelled
/// `hoist.release=<service>`, not `hoist.service`, so it is never taken for a release's container.
Command run_once(const ContainerSpec& spec);
Command pull(const std::string& runtime, const std::string& image);
/// Pulls only when the image is not on the host already (rollbacks need no registry).
Command pull_if_missing(const std::string& runtime, const std::string& image);
/// Stops with a grace period in whole seconds, rounded up (docker's --time takes seconds).
Command stop(const std::string& runtime, const std::string& name, std::chrono::milliseconds timeout);
Command remove(const std::string& runtime, const std::string& name);
Command remove_image(const std::string& runtime, const std::string& image);
/// Several containers or images in one runtime call (one exec instead of one per name). Each name
/// is removed on its own merits: a missing one fails the call's status, not the others' removal.
Command remove(const std::string& runtime, const std::vector<std::string>& names);
Command remove_images(const std::string& runtime, const std::vector<std::string>& images);
/// Lists the service's containers, one JSON object a line: name, state, labels, image.
Command list_containers(const std::string& runtime, const std::string& service);
/// Every container of the host (one JSON object a line), for the ones hoist did not start: a
/// container of the old deploy script holding the service's port, or the one it took over.
Command list_all_containers(const std::string& runtime);
Command rename(const std::string& runtime, const std::string& from, const std::string& to);
Command logs(const std::string& runtime, const std::string& name, int tail, bool follow);
/// `docker login` reading the password from stdin, so it never appears in `ps`.
Command login(const std::string& runtime, const std::string& registry, const std::string& username);
/// Pulls (only when missing, with `if_missing`) with registry credentials read from stdin: a
/// Docker config.json document (`registry::host_auth_document`) written into a private directory
/// (mode 0700, in RAM under /dev/shm or $XDG_RUNTIME_DIR where they exist) that only this pull
/// reads (docker: DOCKER_CONFIG, podman: --authfile) and that is removed however the pull ends
/// (also on a timeout's TERM or a dropped connection's HUP). The host's own config.json and its
/// logins are not touched; nothing secret is in the command line.
Command pull_with_auth(const std::string& runtime, const std::string& image, bool if_missing);
/// registry.direct: every image on the host, one a line: its ID, a space, its layer list (diff IDs)
/// as a JSON array, so hoist sends only the layers a host lacks. For docker, a first line
/// `engine <DOCKER_HOST>` (default unix:///var/run/docker.sock) says where the Engine API listens,
/// so the image can be loaded through it (deploy/direct.hpp) instead of by two CLI processes.
Command image_layer_lists(const std::string& runtime);
/// registry.direct: loads the `docker save`-format tar on stdin (oci/docker_archive.hpp), checks
/// that the image it loaded is `config_hex` (the config digest: the image ID the runtime computes
/// after verifying every layer against its diff ID) and only then tags it `image`.
Command load_image(const std::string& runtime, const std::string& config_hex, const std::string& image);
/// Tags the image with ID `id_hex` as `image`.
Command tag_image(const std::string& runtime, const std::string& id_hex, const std::string& image);
/// Whether an image is present locally (exit 0) or not.
Command image_exists(const std::string& runtime, const std::string& image);
/// Starts a stopped container again (rollback to the container kept from before the deploy).
Command start(const std::string& runtime, const std::string& name);
/// "<status> <exit code> <restart count>", e.g. "running 0 0" or "exited 1 3".
Command inspect_state(const std::string& runtime, const std::string& name);
/// The tags of `repository` present on the host, one a line.
Command list_image_tags(const std::string& runtime, const std::string& repository);
/// Free space (KiB, one number) of the filesystem holding the runtime's images. Exit 3: the
/// runtime did not answer (`info` failed), so this is also the pre-flight's "the runtime answers";
/// another failure: the login user cannot see that filesystem.
Command disk_free_kib(const std::string& runtime);

/// Where hoist keeps its files on a host, relative to the login user's home (ssh starts there).
std::string state_dir(const std::string& service);
/// The secret env file of one container.
std::string env_file_path(const std::string& service, const std::string& container_name);

}  // namespace hoist::remote
