#include "registry/blob_uploads.hpp"

#include <ctime>
#include <map>
#include <memory>

#include "registry/errors.hpp"
#include "util/error.hpp"

namespace hoist::registry {

using Clock = std::chrono::steady_clock;

namespace {
struct Job {
    std::unique_ptr<BlobUpload> upload;
    std::unique_ptr<http::Easy> easy;  ///< in flight when set
    Clock::time_point not_before{};
    int reauth = 0;
    bool announced = false;
    Clock::time_point last_progress{};
};
}  // namespace

std::vector<BlobResult> upload_blobs(Client& client, std::vector<BlobSpec> specs, PushObserver& observer) {
    std::vector<Job> jobs;
    jobs.reserve(specs.size());
    for (auto& s : specs) {
        jobs.push_back(Job{std::make_unique<BlobUpload>(std::move(s), client.repo_url("")), nullptr});
        jobs.back().upload->pause_when_blocked = true;  // never block the loop that drives every transfer
    }
    http::Multi multi;
    for (auto& j : jobs) j.upload->on_data_ready = multi.notifier();
    const int max_parallel = std::max(1, client.options().max_parallel);
    std::map<CURL*, std::size_t> in_flight;
    std::size_t finished = 0;

    auto cancel_all = [&] {
        for (auto& [h, i] : in_flight) {
            multi.remove(*jobs[i].easy);
            jobs[i].easy.reset();
        }
        in_flight.clear();
    };
    auto start = [&](std::size_t i) {
        Job& j = jobs[i];
        if (!j.announced) {
            j.announced = true;
            auto& k = j.upload->spec().known;
            observer.blob_started(j.upload->spec().label, k ? k->digest.str() : "", k ? k->size : -1);
        }
        client.auth().refresh_if_expiring();
        http::Request r = j.upload->next_request();
        r.insecure_tls = client.options().insecure;
        client.auth().apply(r);
        j.easy = std::make_unique<http::Easy>(std::move(r));
        multi.add(*j.easy);
        in_flight[j.easy->handle()] = i;
    };

    try {
        while (finished < jobs.size()) {
            auto now = Clock::now();
            for (std::size_t i = 0; i < jobs.size() && static_cast<int>(in_flight.size()) < max_parallel; ++i) {
                Job& j = jobs[i];
                auto st = j.upload->state();
                if (j.easy || st == BlobUpload::State::done || st == BlobUpload::State::failed || j.not_before > now) continue;
                start(i);
            }
            // Drive every transfer first: one just started may pause at once (its compressor has
            // not finished a chunk yet). Paused transfers are resumed as soon as data is ready;
            // the compressor wakes the wait below when it finishes a chunk (notifier()), and a
            // short timeout while any is paused only guards against a missed wakeup.
            multi.perform();
            bool any_paused = false;
            for (auto& [h, i] : in_flight) {
                Job& j = jobs[i];
                if (j.easy->paused()) {
                    if (j.upload->body_ready()) j.easy->resume();
                    else any_paused = true;
                }
            }
            multi.wait(any_paused ? 20 : 100);
            multi.perform();
            while (auto done = multi.next_done()) {
                auto it = in_flight.find(done->first);
                if (it == in_flight.end()) continue;
                std::size_t i = it->second;
                in_flight.erase(it);
                Job& j = jobs[i];
                multi.remove(*j.easy);
                http::Response resp = j.easy->finish(done->second);
                std::exception_ptr reader_error = j.easy->reader_error;
                j.easy.reset();
                if (reader_error) std::rethrow_exception(reader_error);  // local read/compress failure: fatal
                if (resp.curl_code == 0 && resp.status == 401 && j.reauth < 2) {
                    ++j.reauth;
                    if (client.auth().on_unauthorized(resp)) {
                        j.upload->rewind_for_retry();
                        continue;
                    }
                }
                http::AttemptOutcome o{resp.curl_code, resp.status, resp.header("retry-after")};
                if (http::is_retryable(o)) {
                    auto delay = http::retry_delay(client.options().retry, j.upload->attempts, o, http::jitter_sample(), std::time(nullptr));
                    if (delay) {
                        std::string reason = resp.curl_code ? resp.curl_error : "HTTP " + std::to_string(resp.status);
                        observer.blob_retry(j.upload->spec().label, reason, *delay);
                        j.upload->rewind_for_retry();
                        j.not_before = Clock::now() + *delay;
                        continue;
                    }
                }
                j.upload->on_response(resp);
                if (j.upload->state() == BlobUpload::State::failed) {
                    std::string msg = j.upload->error();
                    if (j.upload->attempts > 1) msg += " (after " + std::to_string(j.upload->attempts) + " attempts)";
                    throw Error(ExitCode::build_push, "pushing " + msg);
                }
                if (j.upload->state() == BlobUpload::State::done) {
                    ++finished;
                    observer.blob_done(j.upload->result());
                }
            }
            now = Clock::now();
            for (auto& [h, i] : in_flight) {
                Job& j = jobs[i];
                if (now - j.last_progress > std::chrono::milliseconds(500)) {
                    j.last_progress = now;
                    auto& k = j.upload->spec().known;
                    observer.blob_progress(j.upload->spec().label, j.upload->bytes_sent(), k ? k->size : -1);
                }
            }
        }
    } catch (...) {
        cancel_all();
        throw;
    }
    std::vector<BlobResult> out;
    for (auto& j : jobs) out.push_back(j.upload->result());
    return out;
}

}  // namespace hoist::registry
