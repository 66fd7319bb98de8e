#include "deploy/progress.hpp"

#include <cstdio>

#include "report/units.hpp"

namespace hoist::deploy {

image::StepCallback build_progress(report::Output& out, Progress how) {
    return [&out, how](const image::StepEvent& e) {
        const bool shown = how == Progress::shown;
        if (e.outcome == "output") {  // a line of the Docker Engine's build output
            if (!shown) return out.verbose("build: " + e.instruction);
            out.info(e.instruction);
            out.event("build_output", {{"line", e.instruction}});
            return;
        }
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.2fs", e.seconds);
        std::string line = "[" + std::to_string(e.index) + "/" + std::to_string(e.total) + "] " + e.instruction;
        std::string what = e.outcome == "config" ? "" : "  " + e.outcome + (e.detail.empty() ? "" : ": " + e.detail);
        if (!shown) return out.verbose("build: " + line + what + "  " + secs);
        out.info(line + what + "  " + secs);
        out.event("build_step", {{"step", e.index}, {"total", e.total}, {"line", e.line}, {"instruction", e.instruction},
                                 {"outcome", e.outcome}, {"detail", e.detail}, {"seconds", e.seconds}});
    };
}

PushProgress::~PushProgress() {
    if (m_how == Progress::shown) m_out.end_bars();
}

void PushProgress::blob_started(const std::string& label, const std::string&, std::int64_t size) {
    if (m_how == Progress::shown) m_out.with_bars([&](report::ProgressBars& b) { b.start(label, size); });
}

void PushProgress::blob_progress(const std::string& label, std::int64_t sent, std::int64_t size) {
    if (m_how == Progress::shown) m_out.with_bars([&](report::ProgressBars& b) { b.update(label, sent, size); });
}

void PushProgress::blob_retry(const std::string& label, const std::string& reason, std::chrono::milliseconds delay) {
    std::string prefix = m_how == Progress::shown ? "" : "push: ";
    m_out.warning(prefix + label + ": " + reason + "; retrying in " + std::to_string(delay.count()) + " ms");
    m_out.event("blob_retry", {{"blob", label}, {"reason", reason}, {"delay_ms", delay.count()}});
}

void PushProgress::blob_done(const registry::BlobResult& r) {
    std::string how = registry::to_string(r.action);
    std::string line = r.label + " " + r.digest.str().substr(0, 19) + " " + report::human_bytes(r.size) + " " + how;
    if (r.action == registry::BlobAction::uploaded) line += " in " + report::human_duration_ms(r.duration.count());
    if (r.attempts > 1) line += " (" + std::to_string(r.attempts) + " attempts)";
    if (m_how == Progress::shown) {
        m_out.with_bars([&](report::ProgressBars& b) { b.finish(r.label); });
        m_out.info(line);
    } else {
        m_out.verbose("push: " + line);
    }
    m_out.event("blob", {{"blob", r.label}, {"digest", r.digest.str()}, {"size", r.size}, {"action", how},
                         {"bytes_sent", r.bytes_sent}, {"attempts", r.attempts}, {"duration_ms", r.duration.count()}});
}

void PushProgress::manifest_pushed(const std::string& ref, const oci::Digest& d, const std::string& media_type) {
    m_out.verbose("manifest " + ref + " " + d.str());
    m_out.event("manifest", {{"ref", ref}, {"digest", d.str()}, {"media_type", media_type}});
}

}  // namespace hoist::deploy
