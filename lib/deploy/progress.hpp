#pragma once
/// How a build and a push report their progress, for every command that runs them: `hoist build`,
/// `hoist push` (building first when it must) and a deploy's build and push.
///   shown    a line a build step (`[3/7] COPY . /app  cached  0.01s`) and a `build_step` event
///            (`build_output` for a line of the Docker Engine's own output); a line and a `blob`
///            event a blob, a live bar a blob in flight on a terminal, a `manifest` event;
///   verbose  a deploy, whose build and push run beside the look at the fleet: the same lines only
///            with -v (retries always, as warnings), and the `blob` events.
#include "image/native_builder.hpp"
#include "registry/progress.hpp"
#include "report/output.hpp"

namespace hoist::deploy {

enum class Progress { shown, verbose };

image::StepCallback build_progress(report::Output& out, Progress how);

class PushProgress : public registry::PushObserver {
public:
    PushProgress(report::Output& out, Progress how) : m_out(out), m_how(how) {}
    ~PushProgress() override;
    PushProgress(const PushProgress&) = delete;
    PushProgress& operator=(const PushProgress&) = delete;
    void blob_started(const std::string& label, const std::string& digest, std::int64_t size) override;
    void blob_progress(const std::string& label, std::int64_t sent, std::int64_t size) override;
    void blob_retry(const std::string& label, const std::string& reason, std::chrono::milliseconds delay) override;
    void blob_done(const registry::BlobResult& r) override;
    void manifest_pushed(const std::string& ref, const oci::Digest& d, const std::string& media_type) override;

private:
    report::Output& m_out;
    Progress m_how;
};

}  // namespace hoist::deploy
