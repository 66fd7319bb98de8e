// The codecs every layer shares (util/base64, util/sha256, util/text), against published vectors.
#include <gtest/gtest.h>

#include "util/base64.hpp"
#include "util/sha256.hpp"
#include "util/text.hpp"

namespace hoist {
namespace {

TEST(Base64, Rfc4648Vectors) {
    const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                           {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},   {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64_encode(plain), encoded);
        EXPECT_EQ(base64_decode(encoded), plain);
    }
}

TEST(Base64, DecodesUnpaddedAndRejectsGarbage) {
    EXPECT_EQ(base64_decode("Zm9vYg"), "foob");         // known_hosts and fingerprints drop the padding
    EXPECT_EQ(base64_decode("Zm9v\nYmFy"), "foobar");   // config.json values may be wrapped
    EXPECT_FALSE(base64_decode("Zm9v*").has_value());   // outside the alphabet
    EXPECT_FALSE(base64_decode("Zg==Zg").has_value());  // data after padding
    EXPECT_FALSE(base64_decode("Z").has_value());       // a dangling sextet
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    EXPECT_EQ(base64_decode(base64_encode(all)), all);
}

TEST(Sha256, FipsVectorsWholeAndStreamed) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Sha256 h;
    h.update("a");
    h.update("bc");
    EXPECT_EQ(h.bytes(), 3u);
    EXPECT_EQ(to_hex(h.finish()), sha256_hex("abc"));
    EXPECT_EQ(h.bytes(), 0u);  // reset: reusable
    EXPECT_EQ(to_hex(h.finish()), sha256_hex(""));
    EXPECT_EQ(sha256("abc").size(), 32u);
}

TEST(Hmac, Rfc4231AndRfc2202Vectors) {
    // RFC 4231 test case 2 and RFC 2202 test case 2: key "Jefe"
    EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(to_hex(hmac_sha1("Jefe", "what do ya want for nothing?")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(Hex, LowerCase) { EXPECT_EQ(to_hex(std::string("\x00\x7f\xff", 3)), "007fff"); }

TEST(XmlEscape, EscapesMarkupAndReplacesWhatXmlCannotHold) {
    EXPECT_EQ(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
    EXPECT_EQ(xml_escape("tab\tnl\n bell\x07"), "tab\tnl\n bell?");
}

}  // namespace
}  // namespace hoist
