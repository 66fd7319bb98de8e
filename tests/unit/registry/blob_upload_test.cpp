// The blob upload state machine, driven by hand-made responses: which request follows which
// answer, where Locations lead, and that a retry never continues a possibly broken session.
#include <gtest/gtest.h>

#include <algorithm>

#include "oci/digest.hpp"
#include "registry/blob_upload.hpp"

using namespace hoist;
using namespace hoist::registry;
using namespace hoist::http;
using State = BlobUpload::State;

namespace {
class StringStream : public oci::BlobStream {
public:
    explicit StringStream(std::string s) : m_s(std::move(s)) {}
    std::size_t read(char* buf, std::size_t size) override {
        std::size_t n = std::min(size, m_s.size() - m_pos);
        std::copy_n(m_s.data() + m_pos, n, buf);
        m_pos += n;
        return n;
    }
    std::int64_t size() const override { return static_cast<std::int64_t>(m_s.size()); }

private:
    std::string m_s;
    std::size_t m_pos = 0;
};

const std::string k_repo = "http://reg:5000/v2/acme/web";
const std::string k_data = "layer bytes";

BlobSpec spec(bool known, const std::string& mount_from = "") {
    BlobSpec s;
    s.label = "layer 1/1";
    s.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
    if (known) s.known = oci::Descriptor{s.media_type, oci::sha256_of(k_data), static_cast<std::int64_t>(k_data.size()), {}, {}};
    s.open = [] { return std::make_unique<StringStream>(k_data); };
    s.mount_from = mount_from;
    return s;
}

Response answer(const Request& req, long status, std::map<std::string, std::string> headers = {}) {
    Response r;
    r.status = status;
    r.url = req.url;
    for (auto& [k, v] : headers) r.headers.emplace(k, v);
    return r;
}

/// Runs the request's body reader to the end, as libcurl would.
void stream_body(Request& req) {
    char buf[4];
    while (req.reader(buf, sizeof buf) > 0) {}
}
}  // namespace

TEST(BlobUpload, ExistingBlobIsOneHead) {
    BlobUpload u(spec(true), k_repo);
    Request r = u.next_request();
    EXPECT_EQ(r.method, "HEAD");
    EXPECT_EQ(r.url, k_repo + "/blobs/" + oci::sha256_of(k_data).str());
    u.on_response(answer(r, 200));
    EXPECT_EQ(u.state(), State::done);
    EXPECT_EQ(u.result().action, BlobAction::exists);
    EXPECT_EQ(u.result().bytes_sent, 0);
}

TEST(BlobUpload, FullUploadFollowsRelativeLocationsAndCommitsWithTheDigest) {
    BlobUpload u(spec(true), k_repo);
    u.on_response(answer(u.next_request(), 404));
    ASSERT_EQ(u.state(), State::start);
    Request post = u.next_request();
    EXPECT_EQ(post.method, "POST");
    EXPECT_EQ(post.url, k_repo + "/blobs/uploads/");
    u.on_response(answer(post, 202, {{"location", "/v2/acme/web/blobs/uploads/u1?_state=s1"}}));
    ASSERT_EQ(u.state(), State::send);
    Request patch = u.next_request();
    EXPECT_EQ(patch.method, "PATCH");
    EXPECT_EQ(patch.url, "http://reg:5000/v2/acme/web/blobs/uploads/u1?_state=s1");
    EXPECT_EQ(patch.body_size, static_cast<std::int64_t>(k_data.size()));
    stream_body(patch);
    u.on_response(answer(patch, 202, {{"location", "/v2/acme/web/blobs/uploads/u1?_state=s2"}}));
    ASSERT_EQ(u.state(), State::commit);
    Request put = u.next_request();
    EXPECT_EQ(put.method, "PUT");
    EXPECT_EQ(put.url, "http://reg:5000/v2/acme/web/blobs/uploads/u1?_state=s2&digest=sha256%3A" + oci::sha256_of(k_data).hex);
    u.on_response(answer(put, 201, {{"docker-content-digest", oci::sha256_of(k_data).str()}}));
    EXPECT_EQ(u.state(), State::done);
    EXPECT_EQ(u.result().action, BlobAction::uploaded);
    EXPECT_EQ(u.result().bytes_sent, static_cast<std::int64_t>(k_data.size()));
}

TEST(BlobUpload, MountCreatedIsDone) {
    BlobUpload u(spec(true, "acme/base"), k_repo);
    u.on_response(answer(u.next_request(), 404));
    ASSERT_EQ(u.state(), State::mount);
    Request m = u.next_request();
    EXPECT_EQ(m.method, "POST");
    EXPECT_EQ(m.url, k_repo + "/blobs/uploads/?mount=sha256%3A" + oci::sha256_of(k_data).hex + "&from=acme%2Fbase");
    u.on_response(answer(m, 201));
    EXPECT_EQ(u.state(), State::done);
    EXPECT_EQ(u.result().action, BlobAction::mounted);
}

TEST(BlobUpload, MountAnswered202UploadsIntoTheOfferedSession) {
    BlobUpload u(spec(true, "acme/base"), k_repo);
    u.on_response(answer(u.next_request(), 404));
    Request m = u.next_request();
    u.on_response(answer(m, 202, {{"location", "https://blobs.example/up/9?sig=a%2Fb"}}));
    ASSERT_EQ(u.state(), State::send);
    EXPECT_EQ(u.next_request().url, "https://blobs.example/up/9?sig=a%2Fb");
}

TEST(BlobUpload, MountRefusedFallsBackToAPlainUpload) {
    BlobUpload u(spec(true, "acme/base"), k_repo);
    u.on_response(answer(u.next_request(), 404));
    u.on_response(answer(u.next_request(), 403));
    EXPECT_EQ(u.state(), State::start);
}

TEST(BlobUpload, PatchNotSupportedFallsBackToMonolithicPut) {
    BlobUpload u(spec(true), k_repo);
    u.on_response(answer(u.next_request(), 404));
    u.on_response(answer(u.next_request(), 202, {{"location", "/v2/acme/web/blobs/uploads/u1"}}));
    Request patch = u.next_request();
    stream_body(patch);
    u.on_response(answer(patch, 405));
    ASSERT_EQ(u.state(), State::monolithic);
    Request put = u.next_request();
    EXPECT_EQ(put.method, "PUT");
    EXPECT_NE(put.url.find("digest=sha256%3A"), std::string::npos);
    ASSERT_TRUE(put.reader);
    stream_body(put);
    u.on_response(answer(put, 201));
    EXPECT_EQ(u.state(), State::done);
}

TEST(BlobUpload, RetryAfterABrokenPatchStartsANewSession) {
    BlobUpload u(spec(true), k_repo);
    u.on_response(answer(u.next_request(), 404));
    u.on_response(answer(u.next_request(), 202, {{"location", "/v2/acme/web/blobs/uploads/u1"}}));
    Request patch = u.next_request();
    stream_body(patch);  // connection reset after the bytes went out: the driver rewinds
    u.rewind_for_retry();
    EXPECT_EQ(u.state(), State::start);
    EXPECT_EQ(u.attempts, 2);
    EXPECT_EQ(u.bytes_sent(), static_cast<std::int64_t>(k_data.size()));  // counted, not lost
    EXPECT_EQ(u.next_request().method, "POST");
}

TEST(BlobUpload, UnknownDigestIsComputedWhileStreaming) {
    BlobUpload u(spec(false), k_repo);
    ASSERT_EQ(u.state(), State::start);  // nothing to HEAD without a digest
    u.on_response(answer(u.next_request(), 202, {{"location", "u1"}}));
    Request patch = u.next_request();
    EXPECT_EQ(patch.url, k_repo + "/blobs/uploads/u1");
    stream_body(patch);
    u.on_response(answer(patch, 202));
    Request put = u.next_request();
    EXPECT_NE(put.url.find(oci::sha256_of(k_data).hex), std::string::npos);
    u.on_response(answer(put, 201));
    EXPECT_EQ(u.result().digest, oci::sha256_of(k_data));
    EXPECT_EQ(u.result().size, static_cast<std::int64_t>(k_data.size()));
}

TEST(BlobUpload, CorruptLocalCopyFailsBeforeCommitting) {
    BlobSpec s = spec(true);
    s.open = [] { return std::make_unique<StringStream>("tampered"); };
    BlobUpload u(std::move(s), k_repo);
    u.on_response(answer(u.next_request(), 404));
    u.on_response(answer(u.next_request(), 202, {{"location", "u1"}}));
    Request patch = u.next_request();
    stream_body(patch);
    u.on_response(answer(patch, 202));
    EXPECT_EQ(u.state(), State::failed);
    EXPECT_NE(u.error().find("corrupt"), std::string::npos) << u.error();
}

TEST(BlobUpload, ACompressionThatDiffersFromTheCachedOneIsUploadedUnderItsOwnDigest) {
    // The layer cache remembered what compressing this layer gave last time (a hint). This time
    // the compressor's bytes differ (another valid encoding of the same content): that is not a
    // corrupt local copy; it is uploaded and committed under the digest it hashes to.
    BlobSpec s = spec(true);
    s.known_is_hint = true;
    const std::string other = "another encoding";
    s.open = [other] { return std::make_unique<StringStream>(other); };
    BlobUpload u(std::move(s), k_repo);
    EXPECT_EQ(u.next_request().method, "HEAD");  // the hint still lets the registry say "have it"
    u.on_response(answer(u.next_request(), 404));
    u.on_response(answer(u.next_request(), 202, {{"location", "u1"}}));
    Request patch = u.next_request();
    stream_body(patch);
    u.on_response(answer(patch, 202));
    ASSERT_EQ(u.state(), State::commit) << u.error();
    Request put = u.next_request();
    EXPECT_NE(put.url.find(oci::sha256_of(other).hex), std::string::npos) << put.url;
    u.on_response(answer(put, 201));
    EXPECT_EQ(u.state(), State::done);
    EXPECT_TRUE(u.hint_missed());
    EXPECT_EQ(u.result().digest, oci::sha256_of(other));
    EXPECT_EQ(u.result().size, static_cast<std::int64_t>(other.size()));
}

TEST(BlobUpload, AHintedBlobTheRegistryHasIsNotSentAgain) {
    BlobSpec s = spec(true);
    s.known_is_hint = true;
    BlobUpload u(std::move(s), k_repo);
    u.on_response(answer(u.next_request(), 200));
    EXPECT_EQ(u.state(), State::done);
    EXPECT_EQ(u.result().action, BlobAction::exists);
    EXPECT_EQ(u.result().digest, oci::sha256_of(k_data));
}

TEST(BlobUpload, RegistryErrorIsReportedWithCodeAndMessage) {
    BlobUpload u(spec(true), k_repo);
    Request head = u.next_request();
    Response r = answer(head, 404);
    u.on_response(r);
    Request post = u.next_request();
    Response denied = answer(post, 403);
    denied.body = R"({"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]})";
    u.on_response(denied);
    EXPECT_EQ(u.state(), State::failed);
    EXPECT_NE(u.error().find("POST http://reg:5000/v2/acme/web/blobs/uploads/: HTTP 403: DENIED: requested access"),
              std::string::npos)
        << u.error();
}

TEST(BlobUpload, StreamRefusedFallsBackToContentRangeChunks) {
    BlobUpload u(spec(false), k_repo);
    u.on_response(answer(u.next_request(), 202, {{"location", "u1"}}));
    Request patch = u.next_request();
    EXPECT_EQ(patch.body_size, static_cast<std::int64_t>(k_data.size()));  // StringStream knows its size
    u.on_response(answer(patch, 411));  // e.g. "Length Required" for a chunked transfer encoding
    ASSERT_EQ(u.state(), State::chunked);
    Request c1 = u.next_request();
    EXPECT_EQ(c1.method, "PATCH");
    EXPECT_EQ(c1.body, k_data);
    EXPECT_NE(std::find(c1.headers.begin(), c1.headers.end(), "Content-Range: 0-10"), c1.headers.end());
    u.on_response(answer(c1, 202, {{"location", "/v2/acme/web/blobs/uploads/u1?_state=after-chunk"}}));
    ASSERT_EQ(u.state(), State::chunked);
    Request put = u.next_request();  // the stream is exhausted: commit
    EXPECT_EQ(put.method, "PUT");
    EXPECT_EQ(put.url, "http://reg:5000/v2/acme/web/blobs/uploads/u1?_state=after-chunk&digest=sha256%3A" +
                           oci::sha256_of(k_data).hex);
    u.on_response(answer(put, 201));
    EXPECT_EQ(u.state(), State::done);
    EXPECT_EQ(u.result().digest, oci::sha256_of(k_data));
}

TEST(BlobUpload, RegistryAskingForChunksGetsThemFromTheStart) {
    BlobUpload u(spec(false), k_repo);
    u.on_response(answer(u.next_request(), 202, {{"location", "u1"}, {"oci-chunk-min-length", "4"}}));
    EXPECT_EQ(u.state(), State::chunked);
    Request c1 = u.next_request();
    EXPECT_EQ(c1.body, k_data);  // chunks are at least the minimum (hoist's default is larger)
}
