#include "deploy/asg_suspension.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "aws/asg.hpp"
#include "deploy/aws_hosts.hpp"
#include "aws/error.hpp"
#include "util/strings.hpp"
#include "util/json_fields.hpp"

namespace hoist::deploy {

namespace fs = std::filesystem;

namespace {

std::string dir_of(const AsgOptions& o) {
    return o.dir.empty() ? suspension_dir() : o.dir;
}

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Write to a temporary file and rename: a record is whole or absent.
void write_record(const std::string& path, const SuspensionRecord& r) {
    fs::create_directories(fs::path(path).parent_path());
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << record_json(r);
        if (!out.flush()) throw Error(ExitCode::usage, "cannot write " + tmp);
    }
    fs::rename(tmp, path);
}

std::string group_label(const SuspensionRecord& r) {
    return "Auto Scaling group " + r.group + " (" + r.region + ")";
}

aws::QueryClient client_for(const SuspensionRecord& r, const AsgOptions& o) {
    config::AsgDiscovery d;
    d.name = r.group;
    d.region = r.region;
    return asg_client(d, o.chain, o.query);
}

}  // namespace

std::string suspension_dir() {
    const char* xdg = std::getenv("XDG_STATE_HOME");
    if (xdg && *xdg) return std::string(xdg) + "/hoist/asg-suspended";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.local/state/hoist/asg-suspended";
}

std::string record_path(const std::string& dir, const std::string& region, const std::string& group) {
    std::string name = region + "--" + group;
    std::string safe;
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : name) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.')
            safe += static_cast<char>(c);
        else
            safe += std::string("%") + hex[c >> 4] + hex[c & 15];
    }
    return dir + "/" + safe + ".json";
}

std::string record_json(const SuspensionRecord& r) {
    return nlohmann::json{{"group", r.group},         {"region", r.region}, {"service", r.service},
                          {"processes", r.processes}, {"pid", r.pid},       {"pid_start", r.pid_start},
                          {"since", r.since}}
               .dump() +
           "\n";
}

std::optional<SuspensionRecord> parse_record(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    try {
        SuspensionRecord r;
        r.group = j.at("group").get<std::string>();
        r.region = j.at("region").get<std::string>();
        r.service = text_at(j, "service");
        r.processes = j.at("processes").get<std::vector<std::string>>();
        r.pid = j.at("pid").get<long>();
        r.pid_start = integer_at(j, "pid_start");
        r.since = integer_at(j, "since");
        // only the processes hoist suspends: a record can never make hoist resume anything else
        const auto& known = aws::rollout_processes();
        for (const auto& p : r.processes)
            if (std::find(known.begin(), known.end(), p) == known.end()) return std::nullopt;
        if (r.group.empty() || r.region.empty()) return std::nullopt;
        return r;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

long long process_start(long pid) {
    std::string stat = file_text("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos) return 0;
    std::istringstream in(stat.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 22 && in >> field; ++i)
        if (i == 22) return std::atoll(field.c_str());
    return 0;
}

bool record_owner_alive(const SuspensionRecord& r) {
    return r.pid > 0 && r.pid_start != 0 && process_start(r.pid) == r.pid_start;
}

AsgSuspension::AsgSuspension(const config::Pipeline& p, report::Output& out, AsgOptions options)
    : m_out(out), m_options(std::move(options)) {
    aws::QueryClient as = asg_client(*p.asg, m_options.chain, m_options.query);
    m_record.group = p.asg->name;
    m_record.region = as.region();
    m_record.service = p.service;
    m_record.pid = static_cast<long>(::getpid());
    m_record.pid_start = process_start(m_record.pid);
    m_record.since = static_cast<long long>(std::time(nullptr));
    m_path = record_path(dir_of(m_options), m_record.region, m_record.group);
    std::vector<std::string> ours;  // a record of a hoist that is gone: those are ours to resume too
    if (auto old = parse_record(file_text(m_path)); old && !record_owner_alive(*old)) ours = old->processes;
    auto groups = aws::describe_groups(as, {m_record.group});
    auto g = std::find_if(groups.begin(), groups.end(),
                          [&](const aws::AsgGroup& x) { return x.name == m_record.group; });
    if (g == groups.end())
        throw aws::Error("", group_label(m_record) + ": there is no such group; nothing was changed");
    std::vector<std::string> left;
    for (const auto& proc : aws::rollout_processes()) {
        bool suspended = std::find(g->suspended.begin(), g->suspended.end(), proc) != g->suspended.end();
        bool mine = std::find(ours.begin(), ours.end(), proc) != ours.end();
        if (!suspended || mine)
            m_record.processes.push_back(proc);
        else
            left.push_back(proc);
    }
    if (m_record.processes.empty()) {
        m_done = true;
        out.info(group_label(m_record) + ": " + join(left, ", ") +
                 " already suspended (not by hoist); left so");
        return;
    }
    write_record(m_path, m_record);
    try {
        aws::suspend_processes(as, m_record.group, m_record.processes);
    } catch (...) {
        std::error_code ec;
        fs::remove(m_path, ec);
        throw;
    }
    out.info(group_label(m_record) + ": suspended " + join(m_record.processes, ", ") + " for the rollout" +
             (left.empty() ? "" : " (" + join(left, ", ") + " already suspended, not by hoist: left so)"));
    out.event("asg_suspended",
              {{"group", m_record.group}, {"region", m_record.region}, {"processes", m_record.processes}});
}

void AsgSuspension::resume() {
    if (m_done) return;
    aws::QueryClient as = client_for(m_record, m_options);
    aws::resume_processes(as, m_record.group, m_record.processes);
    m_done = true;
    std::error_code ec;
    fs::remove(m_path, ec);
    m_out.info(group_label(m_record) + ": resumed " + join(m_record.processes, ", "));
    m_out.event("asg_resumed",
                {{"group", m_record.group}, {"region", m_record.region}, {"processes", m_record.processes}});
}

AsgSuspension::~AsgSuspension() {
    try {
        resume();
    } catch (const std::exception& e) {
        m_out.warning(group_label(m_record) + ": could not resume " + join(m_record.processes, ", ") + ": " +
                      e.what() + "; the next hoist command retries (record " + m_path + ")");
    }
}

bool resume_leftover(const config::Pipeline& p, report::Output& out, bool act, AsgOptions options) {
    if (!p.asg) return false;
    std::string region;
    try {
        region = aws::resolve_region(p.asg->region, options.chain);
    } catch (const aws::Error&) {
        return false;  // the lookup of the hosts says what is missing
    }
    std::string path = record_path(dir_of(options), region, p.asg->name);
    if (!fs::exists(path)) return false;
    auto r = parse_record(file_text(path));
    if (!r) {
        out.warning("ignoring " + path + ": not a record of Auto Scaling processes hoist suspended");
        return false;
    }
    if (record_owner_alive(*r)) return false;  // a running hoist on this machine holds them
    std::string what = group_label(*r) + ": a hoist deploy that did not end (pid " + std::to_string(r->pid) +
                       ") left " + join(r->processes, ", ") + " suspended";
    if (!act) {
        out.warning(what + "; the next deploy, rollback or status resumes them");
        return true;
    }
    try {
        aws::QueryClient as = client_for(*r, options);
        aws::resume_processes(as, r->group, r->processes);
    } catch (const aws::Error& e) {
        out.warning(what + "; resuming them failed: " + e.what() + " (record kept: " + path + ")");
        return true;
    }
    std::error_code ec;
    fs::remove(path, ec);
    out.warning(what + "; resumed them");
    out.event("asg_resumed",
              {{"group", r->group}, {"region", r->region}, {"processes", r->processes}, {"leftover", true}});
    return true;
}

}  // namespace hoist::deploy
