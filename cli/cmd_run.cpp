// hoist run [--host H] -- CMD: a one-off container of the release the host runs now, with the web
// container's env and secrets, its output streamed, its exit code passed through (spec section 6).
#include <random>

#include "context.hpp"
#include "deploy/interrupt.hpp"
#include "deploy/plan.hpp"
#include "deploy/roles.hpp"
#include "deploy/secrets.hpp"
#include "deploy/session.hpp"
#include "deploy/state.hpp"
#include "remote/docker.hpp"
#include "remote/files.hpp"
#include "remote/shell.hpp"
#include "ssh/error.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::cli {

namespace {

struct RunFlags {
    std::string host;
    std::string role;
    std::vector<std::string> words;
};

int run_once(Context& ctx, const RunFlags& f) {
    if (f.words.empty()) throw usage_error("hoist run: no command given (hoist run -- CMD ARGS...)");
    auto p = ctx.load_pipeline_with_hosts();
    if (!f.role.empty() && f.role != config::web_role) {  // spec section 6: the role's env, hosts and image
        deploy::check_roles(p, {f.role});
        for (const auto& r : p.roles)
            if (r.name == f.role) p = config::role_pipeline(p, r);
    }
    auto secrets = deploy::secret_env_values(p);
    for (const auto& [name, value] : secrets) ctx.out->mask(value);
    config::Pipeline one = p;
    if (!f.host.empty()) {
        one.hosts.clear();
        for (const auto& h : p.all_hosts.empty() ? p.hosts : p.all_hosts)
            if (h.address == f.host) one.hosts.push_back(h);
        if (one.hosts.empty()) throw usage_error("--host " + f.host + " is not a host of the pipeline");
    }
    one.hosts.resize(1);
    std::string host = one.hosts.front().address;
    auto fleet = ctx.fleet(one, false);
    ssh::Connection& c = fleet->connection(host);
    std::string runtime = config::to_string(p.container.runtime);
    ssh::ExecOptions o;
    o.timeout = p.ssh.command_timeout;
    auto listed = c.exec(remote::list_containers(runtime, p.service), o);
    if (!listed.ok()) throw Failure(host + ": cannot list the service's containers: " + trim(listed.err));
    auto live = deploy::live_host(deploy::of_role(deploy::parse_container_list(listed.out), p.role), nullptr);
    if (live.version.empty())
        throw Failure(host + " runs no release of " + p.service + ": deploy first (hoist run uses the running release's image)");

    // the role's container as the deploy starts it (env, volumes, options), in the image the live
    // container runs, as `ps` names it: its tag, or its ID once the tag is gone; no port published
    remote::ContainerSpec s =
        deploy::container_spec(p, live.version, live.image.empty() ? p.image_ref(live.version) : live.image, "", 0);
    std::mt19937 rng{std::random_device{}()};
    s.name = p.service + "-run-" + live.version + "-" + std::to_string(rng() % 100000);
    s.pull_never = true;  // the release's image is on the host; never reach for a registry
    s.command = f.words;
    s.env_file.clear();
    if (!secrets.empty()) {
        s.env_file = remote::env_file_path(p.service, s.name);
        c.upload(s.env_file, deploy::secret_env_file(p.container.secret_env, secrets), 0600);
    }
    remote::Command cmd = remote::run_once(s);
    ctx.out->info(host + ": running in " + s.image + " (" + s.name + "): " + remote::Command{f.words}.render());
    // Ctrl-C ends the command (ExecOptions::cancel), then the container is removed by name
    deploy::Interrupts interrupts;
    ssh::ExecOptions run;
    run.timeout = std::chrono::hours(24);
    run.cancel = [] { return deploy::Interrupts::requested(); };
    run.on_output = [&](ssh::Stream st, std::string_view chunk) {
        std::lock_guard<std::mutex> lock(ctx.out_mutex);
        std::fwrite(chunk.data(), 1, chunk.size(), st == ssh::Stream::out ? stdout : stderr);
        std::fflush(st == ssh::Stream::out ? stdout : stderr);
    };
    ssh::ExecResult r;
    try {
        r = c.exec(cmd, run);
    } catch (...) {
        if (!s.env_file.empty()) {
            try { c.exec(remote::remove_file(s.env_file), o); } catch (const std::exception&) {}
        }
        throw;
    }
    if (!s.env_file.empty()) c.exec(remote::remove_file(s.env_file), o);
    if (r.cancelled) {
        // the channel's TERM may not reach the container (sshd, the docker client's signal proxy):
        // remove it by name, on the same connection, now free again
        auto rm = c.exec(remote::remove(runtime, s.name), o);
        if (!rm.ok() && to_lower(rm.err).find("no such container") == std::string::npos)
            throw Error(ExitCode::interrupted, "interrupted; removing " + s.name + " on " + host + " failed: " +
                                                   trim(rm.err) + "; remove it with `docker rm -f " + s.name + "`");
        throw Error(ExitCode::interrupted, "interrupted: " + s.name + " on " + host + " was stopped and removed");
    }
    int code = r.exit_code < 0 ? 1 : r.exit_code;
    return ctx.finish({{"result", code == 0 ? "succeeded" : "failed"}, {"exit_code", code}, {"command", "run"},
                       {"host", host}, {"image", s.image}, {"container", s.name}});
}

}  // namespace

void register_run(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("run", "Run a one-off container of the running release (its env and secrets), "
                                          "output streamed, exit code passed through");
    static RunFlags flags;
    cmd->add_option("--host", flags.host, "On this host (default: the first of the pipeline)");
    cmd->add_option("--role", flags.role, "In this role's image, env and secrets, on its first host (default: web)");
    cmd->add_option("command", flags.words, "The command and its arguments, after --")->required();
    cmd->callback([&ctx] {
        ctx.command = "run";
        ctx.run = [&ctx] { return run_once(ctx, flags); };
    });
}

}  // namespace hoist::cli
