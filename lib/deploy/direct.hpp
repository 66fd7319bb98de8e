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

struct SendOutcome {
    std::string host;
    bool ok = false;
    std::string error;
    std::size_t layers_sent = 0;
    std::int64_t bytes = 0;
    std::int64_t duration_ms = 0;
    bool tagged_only = false;
};

/// `hoist push --to-hosts`: looks at each host's layers and sends what it lacks, every host in
/// parallel (ssh.max_parallel). Reports a line and a "sent" event per host.
std::vector<SendOutcome> send_to_hosts(const config::Pipeline& p, ssh::Fleet& fleet, const oci::ArchiveImage& img,
                                       report::Output& out);

}  // namespace hoist::deploy
