// Metadata-only instructions: each changes the image config and adds an empty_layer history
// entry. Argument handling follows the Dockerfile reference: ENV/LABEL take key=value words (or the
// legacy "key value" form), all expanded against the variables as they were before the
// instruction; CMD/ENTRYPOINT/SHELL/HEALTHCHECK are never expanded (the shell does it at run time).
#include <csignal>
#include <cstring>

#include "image/copy_plan.hpp"
#include "image/stage.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::image {
namespace {

using nlohmann::json;

/// key=value words of ENV/LABEL/ARG; the legacy "KEY rest of line" form when the first word has no '='.
std::vector<std::pair<std::string, std::string>> key_values(const Stage& st, const Instruction& ins, bool allow_legacy) {
    std::vector<std::pair<std::string, std::string>> out;
    auto words = split_words_raw(ins.args, st.df->escape);
    if (words.empty()) fail_at(*st.df, ins, ins.keyword + " requires at least one argument");
    if (words[0].find('=') == std::string::npos) {
        if (!allow_legacy) fail_at(*st.df, ins, ins.keyword + " arguments must be key=value");
        std::size_t sp = ins.args.find_first_of(" \t");
        if (sp == std::string::npos) fail_at(*st.df, ins, ins.keyword + " " + words[0] + " needs a value (" + ins.keyword + " " + words[0] + "=VALUE)");
        out.emplace_back(st.word(ins, words[0]), st.word(ins, trim(ins.args.substr(sp))));
        return out;
    }
    for (auto& w : words) {
        auto eq = w.find('=');
        if (eq == std::string::npos) fail_at(*st.df, ins, ins.keyword + ": '" + w + "' is not key=value");
        std::string key = st.word(ins, w.substr(0, eq));
        if (key.empty()) fail_at(*st.df, ins, ins.keyword + ": empty key in '" + w + "'");
        out.emplace_back(key, st.word(ins, w.substr(eq + 1)));
    }
    return out;
}

/// The exec form as given, or the shell form wrapped in the image's shell.
json command_of(Stage& st, const Instruction& ins, const std::string& args, bool json_form,
                const std::vector<std::string>& json_args) {
    if (json_form) return json_args;
    json shell = json::array({"/bin/sh", "-c"});
    auto& run = st.config().run();
    if (run.contains("Shell") && run["Shell"].is_array() && !run["Shell"].empty()) shell = run["Shell"];
    shell.push_back(args);
    (void)ins;
    return shell;
}

bool valid_signal(const std::string& s) {
    if (auto n = parse_int(s)) return *n > 0 && *n < 65;
    std::string name = starts_with(s, "SIG") ? s.substr(3) : s;
    static const char* names[] = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
                                  "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
                                  "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "POLL", "PWR", "SYS"};
    for (auto* n : names)
        if (name == n) return true;
    return starts_with(name, "RTMIN") || starts_with(name, "RTMAX");
}

void expose(Stage& st, const Instruction& ins) {
    auto words = split_words_raw(ins.args, st.df->escape);
    if (words.empty()) fail_at(*st.df, ins, "EXPOSE requires at least one argument");
    auto& ports = st.config().run()["ExposedPorts"];
    if (!ports.is_object()) ports = json::object();
    for (auto& raw : words) {
        std::string w = st.word(ins, raw);
        std::string proto = "tcp";
        auto slash = w.find('/');
        std::string range = w.substr(0, slash);
        if (slash != std::string::npos) proto = to_lower(w.substr(slash + 1));
        if (proto != "tcp" && proto != "udp" && proto != "sctp")
            fail_at(*st.df, ins, "EXPOSE " + w + ": invalid protocol '" + proto + "' (tcp, udp or sctp)");
        auto dash = range.find('-');
        auto lo = parse_int(range.substr(0, dash));
        auto hi = dash == std::string::npos ? lo : parse_int(range.substr(dash + 1));
        if (!lo || !hi || *lo < 0 || *hi > 65535 || *lo > *hi) fail_at(*st.df, ins, "EXPOSE " + w + ": invalid port or range");
        for (long long p = *lo; p <= *hi; ++p) ports[std::to_string(p) + "/" + proto] = json::object();
    }
}

void healthcheck(Stage& st, const Instruction& ins) {
    auto& run = st.config().run();
    std::string args = trim(ins.args);
    std::string upper = to_lower(args.substr(0, args.find_first_of(" \t")));
    if (upper == "none") {
        if (args.size() > 4) fail_at(*st.df, ins, "HEALTHCHECK NONE takes no other arguments");
        run["Healthcheck"] = {{"Test", {"NONE"}}};
        return;
    }
    if (upper != "cmd") fail_at(*st.df, ins, "HEALTHCHECK must be followed by CMD or NONE");
    std::string rest = trim(args.substr(3));
    if (rest.empty()) fail_at(*st.df, ins, "HEALTHCHECK CMD needs a command");
    json test;
    auto j = starts_with(rest, "[") ? json::parse(rest, nullptr, false) : json();
    bool is_json = j.is_array() && std::all_of(j.begin(), j.end(), [](const json& e) { return e.is_string(); });
    if (is_json) {
        test = json::array({"CMD"});
        for (auto& e : j) test.push_back(e);
    } else {
        test = json::array({"CMD-SHELL", rest});
    }
    json hc = {{"Test", test}};
    for (auto& [name, value] : ins.flags) {
        if (name == "retries") {
            auto n = parse_int(value);
            if (!n || *n < 0) fail_at(*st.df, ins, "HEALTHCHECK --retries=" + value + ": not a non-negative number");
            if (*n > 0) hc["Retries"] = *n;
            continue;
        }
        static const std::map<std::string, std::string> fields = {
            {"interval", "Interval"}, {"timeout", "Timeout"}, {"start-period", "StartPeriod"}, {"start-interval", "StartInterval"}};
        auto f = fields.find(name);
        if (f == fields.end()) fail_at(*st.df, ins, "HEALTHCHECK: unknown flag --" + name);
        auto ns = parse_go_duration(value);
        if (!ns || *ns < 0) fail_at(*st.df, ins, "HEALTHCHECK --" + name + "=" + value + ": not a duration (e.g. 30s, 1m30s)");
        if (*ns > 0) hc[f->second] = *ns;
    }
    run["Healthcheck"] = hc;
}

}  // namespace

Vars Stage::vars() const {
    Vars v;
    for (auto& [k, val] : args)
        if (val) v[k] = *val;
    for (auto& [k, val] : config().env()) v[k] = val;
    return v;
}

std::string Stage::word(const Instruction& ins, const std::string& w) const {
    try {
        return expand_word(w, vars(), df->escape);
    } catch (const WordError& e) {
        fail_at(*df, ins, ins.keyword + ": " + e.what());
    }
}

std::string Stage::workdir() {
    auto& run = config().run();
    if (run.contains("WorkingDir") && run["WorkingDir"].is_string() && !run["WorkingDir"].get<std::string>().empty())
        return run["WorkingDir"].get<std::string>();
    return "/";
}

void declare_args(const Dockerfile& df, const Instruction& ins, const Vars& vars,
                  std::map<std::string, std::optional<std::string>>& args,
                  const std::map<std::string, std::string>& given, std::set<std::string>& used,
                  const std::map<std::string, std::optional<std::string>>* globals) {
    auto words = split_words_raw(ins.args, df.escape);
    if (words.empty()) fail_at(df, ins, "ARG requires at least one argument");
    for (auto& w : words) {
        auto eq = w.find('=');
        std::string name = w.substr(0, eq);
        if (name.empty()) fail_at(df, ins, "ARG: empty name in '" + w + "'");
        std::optional<std::string> value;
        if (auto g = given.find(name); g != given.end()) {
            value = g->second;
            used.insert(name);
        } else if (eq != std::string::npos) {
            try {
                value = expand_word(w.substr(eq + 1), vars, df.escape);
            } catch (const WordError& e) {
                fail_at(df, ins, std::string("ARG: ") + e.what());
            }
        } else if (auto prev = args.find(name); prev != args.end()) {
            value = prev->second;
        } else if (globals && globals->count(name)) {
            value = globals->at(name);  // a global ARG re-declared in the stage keeps its value
        }
        args[name] = value;
    }
}

bool apply_metadata(Stage& st, const Instruction& ins) {
    auto& run = st.config().run();
    const auto& k = ins.keyword;
    if (k == "ENV") {
        for (auto& [key, value] : key_values(st, ins, true)) st.config().set_env(key, value);
    } else if (k == "LABEL") {
        auto& labels = run["Labels"];
        if (!labels.is_object()) labels = json::object();
        for (auto& [key, value] : key_values(st, ins, true)) labels[key] = value;
    } else if (k == "ARG") {
        declare_args(*st.df, ins, st.vars(), st.args, st.build_args, st.used_build_args, &st.global_args);
    } else if (k == "EXPOSE") {
        expose(st, ins);
    } else if (k == "USER") {
        std::string u = st.word(ins, trim(ins.args));
        if (u.empty()) fail_at(*st.df, ins, "USER requires an argument");
        run["User"] = u;
    } else if (k == "CMD") {
        run["Cmd"] = command_of(st, ins, ins.args, ins.json, ins.json_args);
        st.cmd_set = true;
    } else if (k == "ENTRYPOINT") {
        run["Entrypoint"] = command_of(st, ins, ins.args, ins.json, ins.json_args);
        if (!st.cmd_set) run["Cmd"] = nullptr;  // an inherited CMD does not survive a new ENTRYPOINT
    } else if (k == "STOPSIGNAL") {
        std::string s = st.word(ins, trim(ins.args));
        if (!valid_signal(s)) fail_at(*st.df, ins, "STOPSIGNAL: invalid signal '" + s + "'");
        run["StopSignal"] = s;
    } else if (k == "HEALTHCHECK") {
        healthcheck(st, ins);
    } else if (k == "VOLUME") {
        std::vector<std::string> paths;
        if (ins.json)
            for (auto& a : ins.json_args) paths.push_back(st.word(ins, a));
        else
            for (auto& w : split_words_raw(ins.args, st.df->escape)) paths.push_back(st.word(ins, w));
        if (paths.empty()) fail_at(*st.df, ins, "VOLUME requires at least one argument");
        auto& vols = run["Volumes"];
        if (!vols.is_object()) vols = json::object();
        for (auto& p : paths) {
            if (trim(p).empty()) fail_at(*st.df, ins, "VOLUME specified can not be an empty string");
            vols[p] = json::object();
        }
    } else if (k == "SHELL") {
        if (!ins.json || ins.json_args.empty()) fail_at(*st.df, ins, "SHELL requires the arguments to be in JSON form");
        run["Shell"] = ins.json_args;
    } else if (k == "ONBUILD") {
        auto& ob = run["OnBuild"];
        if (!ob.is_array()) ob = json::array();
        ob.push_back(ins.args);
    } else if (k == "MAINTAINER") {
        st.config().doc()["author"] = trim(ins.args);
    } else {
        return false;
    }
    return true;
}

}  // namespace hoist::image
