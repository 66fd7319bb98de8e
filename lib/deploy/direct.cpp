#include "deploy/direct.hpp"

#include <algorithm>
#include <cstring>

#include "deploy/observe.hpp"
#include "remote/docker.hpp"
#include "deploy/engine_api.hpp"
#include "report/units.hpp"
#include "ssh/http_response.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

using Clock = std::chrono::steady_clock;

namespace {

/// The tar a load reads (layers [first, end) of `img`), with progress at most every 250 ms; `bytes`
/// is what was read, set when this ends, also by an exception.
class ReportedTar {
public:
    ReportedTar(const oci::ArchiveImage& img, std::size_t first,
                const std::function<void(std::int64_t, std::int64_t)>& progress, std::int64_t& bytes)
        : m_stream(img, first), m_total(oci::bytes_to_send(img, first)), m_progress(progress), m_bytes(bytes) {}
    ReportedTar(const ReportedTar&) = delete;
    ReportedTar& operator=(const ReportedTar&) = delete;
    ~ReportedTar() { m_bytes = m_stream.bytes_read(); }
    std::size_t read(char* buf, std::size_t cap) {
        std::size_t n = m_stream.read(buf, cap);
        if (m_progress && Clock::now() - m_last > std::chrono::milliseconds(250)) {
            m_last = Clock::now();
            m_progress(m_stream.bytes_read(), m_total);
        }
        return n;
    }

private:
    oci::ArchiveStream m_stream;
    std::int64_t m_total;
    const std::function<void(std::int64_t, std::int64_t)>& m_progress;
    std::int64_t& m_bytes;
    Clock::time_point m_last = Clock::now();
};

}  // namespace

ssh::ExecResult stream_image(ssh::Connection& c, const oci::ArchiveImage& img, std::size_t first,
                             const remote::Command& load, std::chrono::milliseconds timeout,
                             const std::function<void(std::int64_t, std::int64_t)>& progress, std::int64_t& bytes) {
    ReportedTar tar(img, first, progress, bytes);
    ssh::ExecOptions o;
    o.timeout = timeout;
    o.input_source = [&](char* buf, std::size_t cap) { return tar.read(buf, cap); };
    return c.exec(load, o);
}

ssh::ExecResult engine_load(ssh::Connection& c, const std::string& socket, const oci::ArchiveImage& img,
                            std::size_t first, std::chrono::milliseconds timeout,
                            const std::function<void(std::int64_t, std::int64_t)>& progress, std::int64_t& bytes,
                            bool& reached) {
    reached = false;
    ReportedTar tar(img, first, progress, bytes);
    bool ended = false;
    // chunked, each chunk "<8 hex digits>\r\n<data>\r\n": the tar's length is known only once composed
    auto body = [&](char* buf, std::size_t cap) -> std::size_t {
        reached = true;
        if (ended || cap < 64) return 0;
        std::size_t n = tar.read(buf + 10, cap - 12);
        if (n == 0) {
            ended = true;
            std::memcpy(buf, "0\r\n\r\n", 5);
            return 5;
        }
        static const char* hex = "0123456789abcdef";
        for (int i = 0; i < 8; ++i) buf[i] = hex[(n >> (4 * (7 - i))) & 15];  // n < 2^32: cap is a buffer
        buf[8] = '\r';
        buf[9] = '\n';
        std::memcpy(buf + 10 + n, "\r\n", 2);
        return n + 12;
    };
    std::string answer = c.unix_socket_stream(
        socket, ssh::http_request_head("POST", "/images/load?quiet=1", "docker",
                                       "Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n"),
        body, timeout);
    ssh::ExecResult r;
    r.exit_code = 0;
    if (auto e = engine_load_error(answer, img.config.digest.hex); !e.empty()) {
        r.exit_code = 1;
        r.err = e;
        return r;
    }
    auto tag = ssh::parse_http_response(c.unix_socket_request(
        socket,
        ssh::http_request_head("POST", engine_tag_path(img.config.digest.hex, img.ref), "docker", "Content-Length: 0\r\n"),
        timeout));
    if (!tag.ok() || tag.status != 201) {
        r.exit_code = 1;
        r.err = "tagging sha256:" + img.config.digest.hex + " as " + img.ref + " failed: " +
                (tag.ok() ? engine_message(tag) : tag.error);
    }
    return r;
}

ssh::ExecResult load_on_host(ssh::Connection& c, const std::string& engine_socket, const oci::ArchiveImage& img,
                             std::size_t first, const remote::Command& cli_load, std::chrono::milliseconds timeout,
                             const std::function<void(std::int64_t, std::int64_t)>& progress, std::int64_t& bytes,
                             bool& via_engine) {
    via_engine = false;
    if (!engine_socket.empty()) {
        try {
            return engine_load(c, engine_socket, img, first, timeout, progress, bytes, via_engine);
        } catch (const ssh::Error&) {
            if (via_engine) throw;  // failed while sending: the host's failure, as with the CLI
            // not reached (streamlocal forwarding refused, no such socket): nothing was sent
        }
    }
    return stream_image(c, img, first, cli_load, timeout, progress, bytes);
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
            r = load_on_host(c, podman ? "" : images.engine_socket, img, need.first, load, timeout, progress, s.bytes,
                             s.via_engine);
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
                                   {"layers", img.layers.size()}, {"bytes", s.bytes}, {"duration_ms", s.duration_ms},
                                   {"via", s.via_engine ? "engine_api" : "cli"}});
        } else {
            out.error(s.host + ": sending " + img.ref + " failed: " + s.error);
        }
        result.push_back(std::move(s));
    }
    out.end_bars();
    return result;
}

}  // namespace hoist::deploy
