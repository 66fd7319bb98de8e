#pragma once
/// One blob's way into a registry, as a small state machine driven by the upload pool
/// (blob_uploads.hpp). Each state yields one request; each response picks the next state:
///
///     check (HEAD blob) --200--> done(exists)
///        |404
///     mount (POST ?mount=&from=) --201--> done(mounted)
///        |202 (registry opened a normal session instead: use it) / other 4xx: start
///     start (POST uploads/) --202 Location--> send
///     send (PATCH Location, streamed body, chunked when the length is unknown) --202--> commit
///        |400/405/501: the registry does not take PATCH: monolithic
///        |411/400/405/501, digest not known ahead (a compressor's output): chunked
///     commit (PUT Location?digest=D, empty) --201--> done(uploaded)
///     monolithic (PUT Location?digest=D with the whole body) --201--> done(uploaded)
///     chunked (PATCH Location with Content-Range and Content-Length, one chunk at a time, each
///             202 giving the next Location) --end of stream--> commit
/// A registry that announces `OCI-Chunk-Min-Length` on the POST gets chunks of at least that size
/// from the start.
///
/// `check` and `mount` need the digest in advance; a blob compressed on the fly starts at `start`
/// and its digest is the one computed while its bytes streamed out. Broken attempts restart at
/// `start` with a fresh stream (a lost or half-written upload session is abandoned, never
/// committed), so a retry can never commit a partial blob.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "oci/blob_stream.hpp"
#include "oci/manifest.hpp"
#include "http/http.hpp"
#include "registry/progress.hpp"

namespace hoist::registry {

/// What to upload.
struct BlobSpec {
    std::string label;
    std::string media_type;
    std::optional<oci::Descriptor> known;  ///< digest and size known before reading
    /// `known` is what compressing this content gave before (the layer cache), not a property of
    /// the bytes: it still lets the registry say "I have it" (HEAD, mount), but a stream that
    /// hashes differently is a different, equally valid compression of the same content, uploaded
    /// under its own digest, not a corrupt local copy. See oci/gzip_stream.hpp on determinism.
    bool known_is_hint = false;
    std::function<std::unique_ptr<oci::BlobStream>()> open;  ///< a fresh stream from byte 0
    std::string mount_from;                ///< a repository of the same registry believed to have it
};

class BlobUpload {
public:
    enum class State { check, mount, start, send, commit, monolithic, chunked, done, failed };

    BlobUpload(BlobSpec spec, std::string repo_url);

    State state() const { return m_state; }
    const BlobSpec& spec() const { return m_spec; }
    /// The request for the current state (not done/failed).
    http::Request next_request();
    /// Advances on the response to the request from next_request(). On failure, state() is
    /// failed and error() says why. Throws nothing.
    void on_response(const http::Response& response);
    /// True when the body stream of the request in flight can deliver bytes without waiting.
    bool body_ready() const { return !m_stream || m_stream->ready(); }
    /// When set, the body reader pauses (returns read_pause) instead of waiting for the stream.
    bool pause_when_blocked = false;
    /// Called from a worker thread when a paused body has data again (see BlobStream::notify_ready).
    std::function<void()> on_data_ready;
    /// After a retryable failure: go back to a state from which a new attempt is safe.
    void rewind_for_retry();
    const std::string& error() const { return m_error; }
    /// The result once done.
    BlobResult result() const;
    /// True when `known` was a hint that the stream did not match (see BlobSpec::known_is_hint).
    bool hint_missed() const { return m_hint_missed; }
    std::int64_t bytes_sent() const { return m_sent_total + m_sent_attempt; }
    int attempts = 1;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

private:
    std::string method_of(State s) const;
    void fail(const std::string& what, const http::Response& r);
    /// Finishes the hash of a fully streamed body; false (and failed) when it does not match.
    bool finish_stream();

    BlobSpec m_spec;
    std::string m_repo_url;  ///< "<origin>/v2/<repo>"
    State m_state;
    std::string m_location;
    std::unique_ptr<oci::BlobStream> m_stream;
    oci::Sha256 m_hash;
    std::int64_t m_sent_attempt = 0, m_sent_total = 0, m_streamed = 0;
    oci::Digest m_digest;
    std::int64_t m_size = 0;
    BlobAction m_action = BlobAction::uploaded;
    std::string m_error;
    std::int64_t m_chunk_bytes = 8 << 20;  ///< chunk size for the chunked fallback
    std::int64_t m_chunk_sent = 0;         ///< bytes of the chunk in flight
    bool m_prefer_chunked = false;         ///< the registry refused a streamed PATCH once
    bool m_hint_missed = false;
};

}  // namespace hoist::registry
