#include "registry/blob_upload.hpp"

#include <algorithm>
#include <cstdlib>

#include "registry/errors.hpp"
#include "http/url.hpp"

namespace hoist::registry {

using State = BlobUpload::State;

BlobUpload::BlobUpload(BlobSpec spec, std::string repo_url)
    : m_spec(std::move(spec)), m_repo_url(std::move(repo_url)), m_state(m_spec.known ? State::check : State::start) {
    if (m_spec.known) {
        m_digest = m_spec.known->digest;
        m_size = m_spec.known->size;
    }
}

std::string BlobUpload::method_of(State s) const {
    switch (s) {
        case State::check: return "HEAD";
        case State::mount:
        case State::start: return "POST";
        case State::send:
        case State::chunked: return "PATCH";
        default: return "PUT";
    }
}

http::Request BlobUpload::next_request() {
    http::Request r;
    r.method = method_of(m_state);
    switch (m_state) {
        case State::check:
            r.url = m_repo_url + "/blobs/" + m_digest.str();
            r.timeout_s = 60;
            break;
        case State::mount:
            r.url = http::add_query(http::add_query(m_repo_url + "/blobs/uploads/", "mount", m_digest.str()), "from", m_spec.mount_from);
            r.headers.push_back("Content-Length: 0");
            r.timeout_s = 120;
            break;
        case State::start:
            r.url = m_repo_url + "/blobs/uploads/";
            r.headers.push_back("Content-Length: 0");
            r.timeout_s = 120;
            break;
        case State::send:
        case State::monolithic: {
            m_stream = m_spec.open();
            if (on_data_ready) m_stream->notify_ready(on_data_ready);
            m_stream->ready();  // starts a compressor's workers now, not at curl's first read
            m_hash = oci::Sha256();
            m_sent_attempt = 0;
            m_streamed = 0;
            r.url = m_state == State::send ? m_location : http::add_query(m_location, "digest", m_digest.str());
            r.headers.push_back("Content-Type: application/octet-stream");
            r.body_size = m_stream->size();
            r.reader = [this](char* buf, std::size_t n) {
                if (pause_when_blocked && !m_stream->ready()) return http::read_pause;
                std::size_t got = m_stream->read(buf, n);
                m_hash.update(buf, got);
                m_sent_attempt += static_cast<std::int64_t>(got);
                m_streamed += static_cast<std::int64_t>(got);
                return got;
            };
            break;
        }
        case State::chunked: {
            if (!m_stream) {
                m_stream = m_spec.open();
                m_hash = oci::Sha256();
                m_streamed = 0;
            }
            std::string chunk(static_cast<std::size_t>(m_chunk_bytes), '\0');
            std::size_t got = 0;
            while (got < chunk.size())
                if (std::size_t n = m_stream->read(chunk.data() + got, chunk.size() - got)) got += n;
                else break;
            chunk.resize(got);
            if (got == 0) {  // end of the stream: commit what the chunks carried
                finish_stream();
                m_state = State::commit;
                return next_request();
            }
            m_hash.update(chunk);
            r.method = "PATCH";
            r.url = m_location;
            r.headers.push_back("Content-Type: application/octet-stream");
            r.headers.push_back("Content-Range: " + std::to_string(m_streamed) + "-" +
                                std::to_string(m_streamed + static_cast<std::int64_t>(got) - 1));
            m_chunk_sent = static_cast<std::int64_t>(got);
            m_sent_attempt += m_chunk_sent;
            m_streamed += m_chunk_sent;
            r.body = std::move(chunk);
            r.timeout_s = 600;
            break;
        }
        case State::commit:
            r.url = http::add_query(m_location, "digest", m_digest.str());
            r.headers.push_back("Content-Length: 0");
            r.timeout_s = 300;  // the registry may verify a large blob before answering
            break;
        default:
            break;
    }
    return r;
}

void BlobUpload::fail(const std::string& what, const http::Response& r) {
    m_error = m_spec.label + " (" + (m_digest.empty() ? std::string("digest pending") : m_digest.str()) + "): " + what +
              ": " + describe_failure(method_of(m_state), r);
    m_state = State::failed;
}

void BlobUpload::on_response(const http::Response& r) {
    if (r.curl_code != 0) return fail("transfer failed", r);
    long s = r.status;
    auto location = [&]() { return http::resolve_location(r.url, r.header("location")); };
    switch (m_state) {
        case State::check:
            if (s == 200) {
                m_action = BlobAction::exists;
                m_state = State::done;
            } else if (s == 404) {
                m_state = m_spec.mount_from.empty() ? State::start : State::mount;
            } else {
                fail("checking whether the registry has it", r);
            }
            break;
        case State::mount:
            if (s == 201) {
                m_action = BlobAction::mounted;
                m_state = State::done;
            } else if (s == 202 && !r.header("location").empty()) {
                m_location = location();  // mount refused, a regular upload session was opened
                m_state = State::send;
            } else {
                m_state = State::start;  // e.g. 401/403/404 on the source: upload normally
            }
            break;
        case State::start:
            if (s == 202 && !r.header("location").empty()) {
                m_location = location();
                m_state = m_prefer_chunked ? State::chunked : State::send;
                if (auto min = r.header("oci-chunk-min-length"); !min.empty()) {
                    m_chunk_bytes = std::max<std::int64_t>(m_chunk_bytes, std::atoll(min.c_str()));
                    m_state = State::chunked;  // the registry asks for chunks
                }
            } else {
                fail("starting an upload", r);
            }
            break;
        case State::send: {
            bool unsupported = s == 400 || s == 405 || s == 411 || s == 501;
            if (unsupported && (!m_spec.known || m_spec.known_is_hint)) {
                // A streamed body of unknown length was refused: send it in sized chunks instead.
                m_sent_total += m_sent_attempt;
                m_sent_attempt = 0;
                m_stream.reset();
                m_state = State::chunked;
                m_prefer_chunked = true;
                return;
            }
            if (!finish_stream()) return;
            if (s == 202 || s == 204) {
                if (!r.header("location").empty()) m_location = location();
                m_state = State::commit;
            } else if (unsupported) {
                m_state = State::monolithic;  // PATCH not supported: one PUT with the whole body
            } else {
                fail("sending data", r);
            }
            break;
        }
        case State::chunked:
            if (s == 202 || s == 204) {
                if (!r.header("location").empty()) m_location = location();
            } else {
                fail("sending a chunk", r);
            }
            break;
        case State::commit:
        case State::monolithic:
            if (m_state == State::monolithic) {
                m_sent_total += m_sent_attempt;
                m_sent_attempt = 0;
            }
            if (s == 201 || s == 204) {
                auto theirs = oci::Digest::parse(r.header("docker-content-digest"));
                if (theirs && *theirs != m_digest) {
                    m_error = m_spec.label + ": registry stored " + theirs->str() + " for " + m_digest.str();
                    m_state = State::failed;
                    return;
                }
                m_action = BlobAction::uploaded;
                m_state = State::done;
            } else {
                fail("completing the upload", r);
            }
            break;
        default:
            break;
    }
}

bool BlobUpload::finish_stream() {
    m_sent_total += m_sent_attempt;
    m_sent_attempt = 0;
    oci::Digest got = m_hash.finish();
    if (m_spec.known && got != m_spec.known->digest && m_spec.known_is_hint) {
        m_hint_missed = true;  // a different compression of the same content: upload it as it is
    } else if (m_spec.known && got != m_spec.known->digest) {
        m_error = m_spec.label + ": content hashes to " + got.str() + " but should be " + m_spec.known->digest.str() +
                  " (the local copy is corrupt)";
        m_state = State::failed;
        return false;
    }
    m_digest = got;
    m_size = m_streamed;
    return true;
}

void BlobUpload::rewind_for_retry() {
    m_sent_total += m_sent_attempt;
    m_sent_attempt = 0;
    m_stream.reset();
    ++attempts;
    // An upload session may not have survived (registry restarted); never resume into it.
    if (m_state == State::send || m_state == State::commit || m_state == State::monolithic || m_state == State::chunked)
        m_state = State::start;
}

BlobResult BlobUpload::result() const {
    BlobResult r;
    r.label = m_spec.label;
    r.digest = m_digest;
    r.size = m_size;
    r.action = m_action;
    r.bytes_sent = bytes_sent();
    r.attempts = attempts;
    r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return r;
}

std::string to_string(BlobAction a) {
    switch (a) {
        case BlobAction::exists: return "exists";
        case BlobAction::mounted: return "mounted";
        default: return "uploaded";
    }
}

}  // namespace hoist::registry
