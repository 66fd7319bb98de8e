#include "deploy/direct.hpp"

#include <algorithm>

#include "deploy/observe.hpp"
#include "remote/docker.hpp"
#include "report/units.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

using Clock = std::chrono::steady_clock;

ssh::ExecResult stream_image(ssh::Connection& c, const oci::ArchiveImage& img, std::size_t first,
                             const remote::Command& load, std::chrono::milliseconds timeout,
                             const std::function<void(std::int64_t, std::int64_t)>& progress, std::int64_t& bytes) {
    oci::ArchiveStream stream(img, first);
    std::int64_t total = oci::bytes_to_send(img, first);
    auto last = Clock::now();
    ssh::ExecOptions o;
    o.timeout = timeout;
    o.input_source = [&](char* buf, std::size_t cap) {
        std::size_t n = stream.read(buf, cap);
        if (progress && Clock::now() - last > std::chrono::milliseconds(250)) {
            last = Clock::now();
            progress(stream.bytes_read(), total);
        }
        return n;
    };
    try {
        auto r = c.exec(load, o);
        bytes = stream.bytes_read();
        return r;
    } catch (...) {
        bytes = stream.bytes_read();
        throw;
    }
}

std::vector<SendOutcome> send_to_hosts(const config::Pipeline& p, ssh::Fleet& fleet, const oci::ArchiveImage& img,
                                       report::Output& out) {
    std::string runtime = config::to_string(p.container.runtime);
    bool podman = p.container.runtime == config::Runtime::podman;
    auto timeout = std::max<std::chrono::milliseconds>(p.ssh.command_timeout, std::chrono::minutes(60));
    auto outcomes = fleet.each<SendOutcome>([&](const std::string& host, ssh::Connection& c) {
        auto t0 = Clock::now();
        SendOutcome s;
        s.host = host;
        ssh::ExecOptions o;
        o.timeout = p.ssh.command_timeout;
        auto seen = c.exec(remote::image_layer_lists(runtime), o);
        if (!seen.ok()) {
            s.error = "cannot list the host's images: " + trim(seen.err.empty() ? seen.out : seen.err);
            return s;
        }
        auto images = parse_layer_lists(seen.out);
        oci::HostNeed need = oci::host_need(img, images.layer_lists, images.ids, podman);
        ssh::ExecResult r;
        if (need.has_image) {
            s.tagged_only = true;
            r = c.exec(remote::tag_image(runtime, img.config.digest.hex, img.ref), o);
        } else {
            auto load = remote::load_image(runtime, img.config.digest.hex, img.ref);
            auto progress = [&](std::int64_t sent, std::int64_t total) {
                out.with_bars([&](report::ProgressBars& b) {
                    b.status(host, "send: " + report::human_bytes(sent) + " of " + report::human_bytes(total));
                });
            };
            r = stream_image(c, img, need.first, load, timeout, progress, s.bytes);
            s.layers_sent = img.layers.size() - need.first;
        }
        s.ok = r.ok();
        if (!s.ok) s.error = trim(r.err.empty() ? r.out : r.err);
        s.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
        return s;
    });
    std::vector<SendOutcome> result;
    for (auto& o : outcomes) {
        SendOutcome s = o.ok() ? *o.value : SendOutcome{};
        s.host = o.host;
        if (!o.ok()) s.error = o.error;
        if (s.ok) {
            out.info(s.host + ": " + (s.tagged_only ? "has " + img.ref + " already; tagged"
                                                    : "sent " + std::to_string(s.layers_sent) + " of " +
                                                          std::to_string(img.layers.size()) + " layers (" +
                                                          report::human_bytes(s.bytes) + ") in " +
                                                          report::human_duration_ms(s.duration_ms) + ", loaded as " + img.ref));
            if (!s.tagged_only)
                out.event("sent", {{"host", s.host}, {"image", img.ref}, {"layers_sent", s.layers_sent},
                                   {"layers", img.layers.size()}, {"bytes", s.bytes}, {"duration_ms", s.duration_ms}});
        } else {
            out.error(s.host + ": sending " + img.ref + " failed: " + s.error);
        }
        result.push_back(std::move(s));
    }
    out.end_bars();
    return result;
}

}  // namespace hoist::deploy
