// The signer against AWS's published SigV4 test suite (tests/unit/aws/vectors, see its README).
//
// Every one of the suite's 28 cases is run. For each, the canonical request, the string to sign,
// the Authorization header and the signed request must equal the suite's files exactly, except for
// two cases whose files contradict each other (checked by the hand-written tests at the bottom):
// - post-x-www-form-urlencoded: the packaged `.creq` signs Content-Length, but its `.sts` and
//   `.authz` were computed without it (AWS's original request had no Content-Length). We check the
//   `.creq` signing every header and the `.sts`/`.authz` with Content-Length left unsigned.
// - post-x-www-form-urlencoded-parameters: the `.creq` matches the packaged request (charset=utf-8,
//   Content-Length signed), but the `.sts` hashes AWS's original one (charset=utf8, no
//   Content-Length), and `.authz` pairs that signature with a SignedHeaders list that includes
//   content-length. We check the `.creq`, and the `.sts` and the signature itself from the original
//   request; the SignedHeaders list of that `.authz` cannot be produced by any correct signer.
// Not in the data (dropped by the package, so not checked here): get-header-value-multiline
// (obs-fold header lines, which hoist never sends), get-utf8 and get-space (raw non-ASCII and
// spaces in the path; hoist's Query API requests always have the path "/").
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "aws/sigv4.hpp"

namespace hoist::aws {
namespace {

const nlohmann::json& suite() {
    static nlohmann::json j = [] {
        std::ifstream in(std::string(HOIST_SOURCE_DIR) + "/tests/unit/aws/vectors/sigv4-test-suite.json");
        nlohmann::json out;
        if (in) in >> out;
        return out;
    }();
    return j;
}

Credentials suite_credentials(bool with_token) {
    Credentials c;
    c.access_key_id = suite()["config"]["accessKeyId"];
    c.secret_access_key = Secret(suite()["config"]["secretAccessKey"].get<std::string>());
    if (with_token) c.session_token = Secret(suite()["stsToken"].get<std::string>());
    return c;
}

HttpRequest request_of(const nlohmann::json& t) {
    HttpRequest r;
    const auto& q = t["request"];
    r.method = q["method"];
    r.path = q["path"];
    r.query = q["query"];
    for (const auto& h : q["headers"]) r.headers.emplace_back(h[0], h[1]);
    r.body = q["body"];
    return r;
}

SigningOptions suite_options() {
    SigningOptions o;
    o.region = suite()["config"]["region"];
    o.service = suite()["config"]["service"];
    o.unsigned_headers = {"authorization"};  // the suite signs every header it lists
    return o;
}

/// The signed request as the suite writes it: the `.req` head, the headers `sign` added, the body.
std::string render_signed(const nlohmann::json& t, const HttpRequest& before, const HttpRequest& after) {
    std::string req = t["req"];
    auto split = req.find("\n\n");
    std::string out = req.substr(0, split);
    for (std::size_t i = before.headers.size(); i < after.headers.size(); ++i) {
        const auto& [k, v] = after.headers[i];
        out += "\n" + k + (k == "Authorization" ? ": " : ":") + v;
    }
    if (split != std::string::npos) out += req.substr(split);
    return out;
}

const std::set<std::string> kInconsistent = {"post-x-www-form-urlencoded",
                                             "post-x-www-form-urlencoded-parameters"};

TEST(SigV4Suite, HasAllCases) {
    ASSERT_TRUE(suite().contains("tests")) << "cannot read tests/unit/aws/vectors/sigv4-test-suite.json";
    EXPECT_EQ(suite()["tests"]["all"].size(), 28u);
}

TEST(SigV4Suite, EveryConsistentCaseMatchesEveryFile) {
    int checked = 0;
    for (const auto& t : suite()["tests"]["all"]) {
        std::string name = t["name"];
        if (kInconsistent.count(name)) continue;
        SCOPED_TRACE(name);
        bool sts_case = name.rfind("post-sts-", 0) == 0;
        SigningOptions o = suite_options();
        o.sign_session_token = name != "post-sts-header-after";
        HttpRequest before = request_of(t);
        HttpRequest r = before;
        SigningResult s = sign(r, suite_credentials(sts_case), o);
        EXPECT_EQ(s.canonical_request, t["creq"].get<std::string>());
        EXPECT_EQ(s.string_to_sign, t["sts"].get<std::string>());
        EXPECT_EQ(s.authorization, t["authz"].get<std::string>());
        EXPECT_EQ(render_signed(t, before, r), t["sreq"].get<std::string>());
        ++checked;
    }
    EXPECT_EQ(checked, 26);
}

const nlohmann::json& find_case(const std::string& name) {
    for (const auto& t : suite()["tests"]["all"])
        if (t["name"] == name) return t;
    static nlohmann::json none;
    ADD_FAILURE() << "no case " << name;
    return none;
}

TEST(SigV4Suite, FormUrlencoded) {
    const auto& t = find_case("post-x-www-form-urlencoded");
    HttpRequest r = request_of(t);
    EXPECT_EQ(canonical_request(r, suite_options()), t["creq"].get<std::string>());
    SigningOptions o = suite_options();
    o.unsigned_headers.push_back("content-length");
    SigningResult s = sign(r, suite_credentials(false), o);
    EXPECT_EQ(s.string_to_sign, t["sts"].get<std::string>());
    EXPECT_EQ(s.authorization, t["authz"].get<std::string>());
}

TEST(SigV4Suite, FormUrlencodedParameters) {
    const auto& t = find_case("post-x-www-form-urlencoded-parameters");
    HttpRequest r = request_of(t);
    EXPECT_EQ(canonical_request(r, suite_options()), t["creq"].get<std::string>());
    // AWS's original request of this case.
    HttpRequest original = r;
    original.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"},
                        {"Host", "example.amazonaws.com"},
                        {"X-Amz-Date", "20150830T123600Z"}};
    SigningResult s = sign(original, suite_credentials(false), suite_options());
    EXPECT_EQ(s.string_to_sign, t["sts"].get<std::string>());
    std::string authz = t["authz"];
    EXPECT_EQ(s.authorization.substr(s.authorization.find("Signature=")),
              authz.substr(authz.find("Signature=")));
}

}  // namespace
}  // namespace hoist::aws
