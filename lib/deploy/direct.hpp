#pragma once
/// registry.direct (spec section 7): sending an image from the local store into a host's runtime
/// over its SSH connection. The deploy engine's `send` step and `hoist push --to-hosts` share it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/pipeline.hpp"
#include "oci/docker_archive.hpp"
#include "remote/shell.hpp"
#include "report/output.hpp"
#include "ssh/connection.hpp"
#include "ssh/fleet.hpp"

namespace hoist::deploy {

/// Streams the `docker save` tar of `img` (layers from `first` on) into `load` (remote::load_image)
/// on the host. `progress(sent, total)` is called as bytes go out. `bytes` receives what was sent.
/// Transport failures throw ssh::Error; a refused load is a failed result.
ssh::ExecResult stream_image(ssh::Connection& c, const oci::ArchiveImage& img, std::size_t first,
                             const remote::Command& load, std::chrono::milliseconds timeout,
                             const std::function<void(std::int64_t, std::int64_t)>& progress, std::int64_t& bytes);

/// The same load through the Docker Engine API on the host's unix socket `socket` (reached by
/// direct-streamlocal over the SSH connection): POST /images/load with the tar stream (chunked),
/// the ID dockerd names checked against the config's digest, then POST /images/{id}/tag. No
/// process starts on the host (the CLI's load and tag start three). The result reads like the
/// CLI's: exit 0, or 1 with dockerd's words in `err`. `reached` is set once the socket answered
/// the channel open; when it stays false (sshd forbids streamlocal forwarding, or there is no such
/// socket) nothing was sent and the caller loads with the CLI instead.
ssh::ExecResult engine_load(ssh::Connection& c, const std::string& socket, const oci::ArchiveImage& img,
                            std::size_t first, std::chrono::milliseconds timeout,
                            const std::function<void(std::int64_t, std::int64_t)>& progress, std::int64_t& bytes,
                            bool& reached);

/// engine_load when `engine_socket` is known (docker hosts whose look named it) and reachable,
/// else stream_image into `cli_load`. `via_engine` tells which loaded.
ssh::ExecResult load_on_host(ssh::Connection& c, const std::string& engine_socket, const oci::ArchiveImage& img,
                             std::size_t first, const remote::Command& cli_load, std::chrono::milliseconds timeout,
                             const std::function<void(std::int64_t, std::int64_t)>& progress, std::int64_t& bytes,
                             bool& via_engine);

struct SendOutcome {
    std::string host;
    bool ok = false;
    std::string error;
    std::size_t layers_sent = 0;
    std::int64_t bytes = 0;
    std::int64_t duration_ms = 0;
    bool tagged_only = false;
    bool via_engine = false;  ///< loaded through the Engine API, not the CLI
};

/// `hoist push --to-hosts`: looks at each host's layers and sends what it lacks, every host in
/// parallel (ssh.max_parallel). Reports a line and a "sent" event per host.
std::vector<SendOutcome> send_to_hosts(const config::Pipeline& p, ssh::Fleet& fleet, const oci::ArchiveImage& img,
                                       report::Output& out);

}  // namespace hoist::deploy
