// One error hierarchy: every failure hoist reports derives from hoist::Error and carries an exit
// code (spec section 3), so main() has one catch for them and "internal error" means a bug.
#include <gtest/gtest.h>

#include "aws/error.hpp"
#include "aws/xml.hpp"
#include "image/shell_words.hpp"
#include "lb/balancer.hpp"
#include "ssh/error.hpp"
#include "util/error.hpp"

using namespace hoist;

namespace {

template <class E, class Fn>
const E* caught_as(Fn fn, std::exception_ptr& keep) {
    try {
        fn();
    } catch (...) {
        keep = std::current_exception();
        try {
            throw;
        } catch (const E& e) {
            return &e;
        } catch (...) {
        }
    }
    return nullptr;
}

}  // namespace

TEST(ErrorHierarchy, LowerLayerErrorsAreFailuresWithTheirExitCode) {
    std::exception_ptr keep;
    auto* ssh = caught_as<Failure>([] { throw ssh::Error(ssh::ErrorKind::connect, "10.0.0.1:22: refused"); }, keep);
    ASSERT_NE(ssh, nullptr);
    EXPECT_EQ(ssh->code(), ExitCode::failed);
    EXPECT_STREQ(ssh->what(), "10.0.0.1:22: refused");

    auto* lb = caught_as<Failure>([] { throw lb::Error("nginx -t refused the file", true); }, keep);
    ASSERT_NE(lb, nullptr);
    EXPECT_EQ(lb->code(), ExitCode::failed);

    auto* xml = caught_as<Failure>([] { aws::parse_xml("<a><b></a>"); }, keep);
    ASSERT_NE(xml, nullptr) << "a malformed answer is a failure, not a bug";
    EXPECT_EQ(xml->code(), ExitCode::failed);
    EXPECT_NE(std::string(xml->what()).find("line 1"), std::string::npos) << xml->what();

    auto* word = caught_as<Failure>([] { image::expand_word("${unterminated", {}); }, keep);
    ASSERT_NE(word, nullptr);
    EXPECT_EQ(word->code(), ExitCode::build_push) << "a Dockerfile's word belongs to the build";
}

TEST(ErrorHierarchy, DecidedErrorsAreNotFailures) {
    // A deploy keeps these codes as they are; a Failure gets its code from how far the deploy got.
    std::exception_ptr keep;
    EXPECT_EQ((caught_as<Failure>([] { throw usage_error("bad"); }, keep)), nullptr);
    EXPECT_EQ((caught_as<Failure>([] { throw Error(ExitCode::locked, "held"); }, keep)), nullptr);
    auto* aws = caught_as<Error>([] { throw aws::Error("AccessDenied", "no", 403); }, keep);
    ASSERT_NE(aws, nullptr);
    EXPECT_EQ(aws->code(), ExitCode::usage);
}
