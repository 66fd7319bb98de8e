#include "image/native_builder.hpp"

#include <chrono>
#include <filesystem>

#include "image/build_context.hpp"
#include "image/copy_plan.hpp"
#include "image/layer_cache.hpp"
#include "image/layer_writer.hpp"
#include "image/stage.hpp"
#include "oci/media_types.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::image {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string human_size(std::int64_t n) {
    char buf[32];
    if (n < 1024) return std::to_string(n) + " B";
    if (n < 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f KB", double(n) / 1024);
    else std::snprintf(buf, sizeof buf, "%.1f MB", double(n) / (1024 * 1024));
    return buf;
}

/// What the native builder refuses, with the reason shown to the user.
void reject_unsupported(const Dockerfile& df, const Instruction& ins) {
    const auto& k = ins.keyword;
    if (k == "RUN") fail_at(df, ins, "RUN needs a container; use `builder: docker`");
    if ((k == "COPY" || k == "ADD") && ins.flag("from"))
        fail_at(df, ins, k + " --from (multi-stage builds) is not supported by the native builder; use `builder: docker`");
    static const std::set<std::string> known = {"FROM", "COPY", "ADD", "WORKDIR", "ENV", "LABEL", "ARG", "EXPOSE",
                                                "USER", "CMD", "ENTRYPOINT", "STOPSIGNAL", "HEALTHCHECK", "VOLUME",
                                                "SHELL", "ONBUILD", "MAINTAINER"};
    if (!known.count(k)) fail_at(df, ins, "unknown instruction: " + k);
    // Flags of FROM, COPY, ADD and HEALTHCHECK are checked where they are used; others have none.
    static const std::set<std::string> with_flags = {"FROM", "COPY", "ADD", "HEALTHCHECK"};
    if (!ins.flags.empty() && !with_flags.count(k)) fail_at(df, ins, k + ": unknown flag --" + ins.flags.front().first);
}

std::pair<std::uint32_t, std::uint32_t> parse_chown(const Stage& st, const Instruction& ins, const std::string& spec) {
    auto colon = spec.find(':');
    std::string user = spec.substr(0, colon);
    std::string group = colon == std::string::npos ? user : spec.substr(colon + 1);
    auto resolve = [&](const std::string& name, bool is_group) -> std::uint32_t {
        if (auto n = parse_int(name); n && *n >= 0 && *n <= 0xffffffffLL) return std::uint32_t(*n);
        const char* file = is_group ? "/etc/group" : "/etc/passwd";
        bool has = is_group ? st.base.fs.has_group() : st.base.fs.has_passwd();
        auto id = is_group ? st.base.fs.lookup_group(name) : st.base.fs.lookup_user(name);
        if (!id) {
            fail_at(*st.df, ins, "--chown=" + spec + ": " + (is_group ? "group" : "user") + " '" + name + "' " +
                                     (has ? std::string("is not in ") + file + " of the image"
                                          : std::string("cannot be looked up: the image has no ") + file) +
                                     "; use a numeric id");
        }
        return *id;
    };
    if (user.empty()) fail_at(*st.df, ins, "--chown=" + spec + ": empty user");
    return {resolve(user, false), resolve(group, true)};
}

class Builder {
public:
    Builder(const NativeBuildOptions& o, oci::ImageStore& store, const StepCallback& cb)
        : m_o(o), m_store(store), m_cb(cb), m_cache(store) {}

    BuildResult run() {
        std::string text;
        try {
            text = oci::read_file(m_o.dockerfile);
        } catch (const Error& e) {
            throw Error(ExitCode::build_push, "cannot read the Dockerfile: " + std::string(e.what()));
        }
        m_df = parse_dockerfile(text, m_o.dockerfile_name);
        if (m_df.instructions.empty()) throw Error(ExitCode::build_push, m_o.dockerfile_name + ": the file has no instructions");
        for (auto& ins : m_df.instructions) reject_unsupported(m_df, ins);
        m_ctx.emplace(m_o.context_dir, load_ignore_file(m_o.context_dir, m_o.dockerfile));
        m_created = rfc3339_utc(m_o.source_date_epoch);
        m_stage.df = &m_df;
        m_stage.build_args = m_o.build_args;

        std::map<std::string, std::optional<std::string>> meta_args;
        bool from_seen = false;
        int total = int(m_df.instructions.size());
        for (int i = 0; i < total; ++i) {
            const auto& ins = m_df.instructions[std::size_t(i)];
            auto t0 = Clock::now();
            StepEvent ev{i + 1, total, ins.line, ins.original, "config", "", 0};
            if (!from_seen) {
                if (ins.keyword == "ARG") {
                    Vars v;
                    for (auto& [k, val] : meta_args)
                        if (val) v[k] = *val;
                    declare_args(m_df, ins, v, meta_args, m_o.build_args, m_stage.used_build_args);
                } else if (ins.keyword == "FROM") {
                    from(ins, meta_args, ev);
                    from_seen = true;
                } else {
                    fail_at(m_df, ins, "only ARG may come before the first FROM");
                }
            } else if (ins.keyword == "FROM") {
                fail_at(m_df, ins, "multi-stage builds (a second FROM) are not supported by the native builder; use `builder: docker`");
            } else if (ins.keyword == "COPY" || ins.keyword == "ADD") {
                copy(ins, ev);
            } else if (ins.keyword == "WORKDIR") {
                workdir(ins, ev);
            } else {
                apply_metadata(m_stage, ins);
                m_stage.config().add_history(ins.original, true, m_created);
            }
            ev.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            if (m_cb) m_cb(ev);
        }
        return finish();
    }

private:
    void from(const Instruction& ins, const std::map<std::string, std::optional<std::string>>& meta_args, StepEvent& ev) {
        Vars v;
        for (auto& [k, val] : meta_args)
            if (val) v[k] = *val;
        auto words = split_words_raw(ins.args, m_df.escape);
        if (words.empty()) fail_at(m_df, ins, "FROM requires the name of an image (or scratch)");
        if (words.size() == 3 && to_lower(words[1]) != "as") fail_at(m_df, ins, "FROM: expected 'AS name' after the image");
        if (words.size() != 1 && words.size() != 3) fail_at(m_df, ins, "FROM takes an image and an optional 'AS name'");
        std::string name;
        std::string platform = m_o.platform;
        try {
            name = expand_word(words[0], v, m_df.escape);
            if (auto p = ins.flag("platform")) platform = expand_word(*p, v, m_df.escape);
        } catch (const WordError& e) {
            fail_at(m_df, ins, std::string("FROM: ") + e.what());
        }
        for (auto& [f, _] : ins.flags)
            if (f != "platform") fail_at(m_df, ins, "FROM: unknown flag --" + f);
        if (name.empty()) fail_at(m_df, ins, "FROM: the image name is empty after substitution");
        try {
            m_platform = oci::Platform::parse(platform);
            m_stage.base = resolve_base(name, m_platform, m_store, m_o.registry);
        } catch (const Error& e) {
            fail_at(m_df, ins, e.what());
        }
        // Docker runs a base image's ONBUILD triggers; the native builder cannot (they are usually RUN).
        auto& run = m_stage.config().run();
        if (run.contains("OnBuild") && run["OnBuild"].is_array() && !run["OnBuild"].empty())
            fail_at(m_df, ins, "the base image has ONBUILD triggers (" + run["OnBuild"].dump() +
                                   "), which the native builder does not run; use `builder: docker`");
        // Meta ARGs are visible in the stage only when re-declared; Docker adds PATH at every FROM.
        m_stage.config().ensure_path();
        m_stage.config().doc()["architecture"] = m_platform.architecture;
        m_stage.config().doc()["os"] = m_platform.os;
        m_stage.args.clear();
        m_stage.global_args = meta_args;
        ev.outcome = "base";
        ev.detail = m_stage.base.scratch ? "scratch" : m_stage.base.name + " (" + std::to_string(m_stage.base.layers.size()) + " layers)";
    }

    void workdir(const Instruction& ins, StepEvent& ev) {
        std::string w = m_stage.word(ins, trim(ins.args));
        if (w.empty()) fail_at(m_df, ins, "WORKDIR requires an argument");
        std::string dir = resolve_in_image(m_stage.workdir(), w);
        m_stage.config().run()["WorkingDir"] = "/" + dir;
        if (dir.empty() || m_stage.base.fs.is_dir(dir)) {
            m_stage.config().add_history(ins.original, true, m_created);
            return;
        }
        // Docker creates the directory (0755, root) in a layer of its own.
        std::vector<LayerEntry> entries;
        std::string p;
        for (auto& part : split(dir, '/')) {
            p = p.empty() ? part : p + "/" + part;
            LayerEntry d;
            d.path = p;
            d.type = EntryType::dir;
            d.mode = 0755;
            if (auto n = m_stage.base.fs.find(p)) {
                d.mode = n->mode;
                d.uid = n->uid;
                d.gid = n->gid;
            }
            entries.push_back(d);
        }
        add_layer(ins, "WORKDIR /" + dir, entries, ev);
    }

    void copy(const Instruction& ins, StepEvent& ev) {
        bool add = ins.keyword == "ADD";
        CopyRequest req;
        req.extract_archives = add;
        req.workdir = m_stage.workdir();
        std::string canonical = ins.keyword;
        for (auto& [f, value] : ins.flags) {
            if (f == "chown") {
                req.chown = parse_chown(m_stage, ins, m_stage.word(ins, value));
            } else if (f == "chmod") {
                std::string v = m_stage.word(ins, value);
                req.chmod = parse_chmod(v);
                if (!req.chmod) fail_at(m_df, ins, "--chmod=" + v + ": only octal modes (e.g. 755) are supported");
            } else if (f == "link") {
                // --link only changes how BuildKit stacks layers; the result is the same image.
            } else {
                fail_at(m_df, ins, ins.keyword + ": unsupported flag --" + f + " for the native builder; use `builder: docker`");
            }
        }
        std::vector<std::string> words;
        if (ins.json)
            for (auto& a : ins.json_args) words.push_back(m_stage.word(ins, a));
        else
            for (auto& w : split_words_raw(ins.args, m_df.escape)) words.push_back(m_stage.word(ins, w));
        if (words.size() < 2) fail_at(m_df, ins, ins.keyword + " requires at least two arguments: source(s) and destination");
        req.dest = words.back();
        words.pop_back();
        try {
            for (auto& src : words) {
                if (add && (src.find("://") != std::string::npos || starts_with(src, "git@")))
                    fail_at(m_df, ins, "ADD from a URL or git repository (" + src + ") is not supported by the native builder; use `builder: docker` or download it into the context");
                for (auto& n : m_ctx->resolve(src)) req.sources.push_back(n);
            }
            auto entries = plan_copy(*m_ctx, req, m_stage.base.fs);
            canonical += " " + std::to_string(req.chmod.value_or(-1u)) + " dest=" + req.dest + " wd=" + req.workdir;
            add_layer(ins, canonical, entries, ev);
        } catch (const Error&) {
            throw;
        } catch (const std::exception& e) {
            fail_at(m_df, ins, ins.keyword + ": " + e.what());
        }
    }

    /// Reuses the cached layer for these inputs, or writes it.
    void add_layer(const Instruction& ins, const std::string& canonical, std::vector<LayerEntry>& entries, StepEvent& ev) {
        std::vector<oci::Digest> contents(entries.size());
        std::vector<std::size_t> unknown;
        std::int64_t bytes = 0;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (entries[i].type != EntryType::file) continue;
            bytes += entries[i].size;
            if (auto d = m_cache.known_content(entries[i])) contents[i] = *d;
            else unknown.push_back(i);
        }
        std::size_t files = 0;
        for (auto& e : entries) files += e.type == EntryType::file;
        // Files whose stat changed are hashed before deciding: a touched but identical file must
        // still hit (with SHA-NI this costs far less than compressing).
        for (auto i : unknown) contents[i] = m_cache.hash_content(entries[i]);
        std::optional<LayerCache::Hit> hit = m_cache.lookup(LayerCache::key(canonical, entries, contents));
        if (hit) {
            ev.outcome = "cached";
            ++m_result.layers_cached;
        } else {
            // The same instruction's previous blob lends its unchanged gzip blocks.
            oci::Digest slot = oci::sha256_of("slot\n" + canonical);
            auto previous = m_cache.previous(slot);
            LayerWriteOptions wo;
            wo.mtime = m_o.source_date_epoch;
            wo.known_contents = &contents;
            wo.previous = previous ? &*previous : nullptr;
            auto written = write_layer(entries, m_store, wo);
            m_cache.remember_blocks(slot, written.blob, written.blocks);
            for (std::size_t i = 0; i < entries.size(); ++i)
                if (entries[i].type == EntryType::file) m_cache.remember_content(entries[i], written.contents[i]);
            hit = LayerCache::Hit{written.diff_id, written.blob};
            m_cache.store(LayerCache::key(canonical, entries, written.contents), *hit);
            ev.outcome = "built";
            ++m_result.layers_built;
        }
        ev.detail = std::to_string(files) + " files, " + human_size(bytes) + " -> " + human_size(hit->blob.size) + " gzip";
        oci::Descriptor layer = hit->blob;
        if (m_stage.base.docker_media_types) layer.media_type = std::string(oci::media::docker_layer_gzip);
        m_layers.push_back(layer);
        m_stage.config().add_layer(hit->diff_id);
        m_stage.config().add_history(ins.original, false, m_created);
        m_stage.base.fs.apply(entries);
    }

    BuildResult finish() {
        for (auto& name : m_o.build_args)
            if (!m_stage.used_build_args.count(name.first))
                m_result.warnings.push_back("build arg " + name.first + " was not consumed by any ARG in " + m_o.dockerfile_name);
        if (!m_o.labels.empty()) {
            auto& labels = m_stage.config().run()["Labels"];
            if (!labels.is_object()) labels = nlohmann::json::object();
            for (auto& [k, v] : m_o.labels) labels[k] = v;
        }
        bool docker = m_stage.base.docker_media_types;
        std::string config_bytes = m_stage.config().serialize(m_created);
        auto config = m_store.put_blob(config_bytes, std::string(docker ? oci::media::docker_config : oci::media::oci_config));
        oci::Manifest m;
        m.media_type = std::string(docker ? oci::media::docker_manifest : oci::media::oci_manifest);
        m.config = config;
        m.layers = m_stage.base.layers;
        for (auto& l : m_layers) m.layers.push_back(l);
        auto manifest = m_store.put_blob(oci::serialize(m), m.media_type);
        manifest.platform = m_platform;
        m_store.tag(m_o.reference, manifest);
        m_cache.save();
        m_result.manifest = manifest;
        m_result.config = config.digest;
        return m_result;
    }

    const NativeBuildOptions& m_o;
    oci::ImageStore& m_store;
    const StepCallback& m_cb;
    LayerCache m_cache;
    Dockerfile m_df;
    std::optional<BuildContext> m_ctx;
    Stage m_stage;
    oci::Platform m_platform;
    std::string m_created;
    std::vector<oci::Descriptor> m_layers;
    BuildResult m_result;
};

}  // namespace

BuildResult build_native(const NativeBuildOptions& options, oci::ImageStore& store, const StepCallback& on_step) {
    return Builder(options, store, on_step).run();
}

}  // namespace hoist::image
