// Base image configs come from registries: ill-typed ones are build errors naming the image, not
// nlohmann::json exceptions or undefined behaviour (found by tests/fuzz/registry_json_fuzz.cpp).
#include <gtest/gtest.h>

#include "image/image_config.hpp"
#include "util/error.hpp"

using hoist::image::ImageConfig;

namespace {
std::string message_of(const std::string& json) {
    try {
        ImageConfig::parse(json, "base image acme/web:1");
    } catch (const hoist::Error& e) {
        EXPECT_EQ(e.code(), hoist::ExitCode::build_push);
        return e.what();
    }
    return "";
}
}  // namespace

TEST(ImageConfig, MissingDiffIdsAreAnEmptyList) {
    auto c = ImageConfig::parse(R"({"rootfs":{"type":"layers","difw_ids":[]},"config":{"Env":["A=b"]}})", "x");
    EXPECT_TRUE(c.diff_ids().empty());
    EXPECT_EQ(c.env().at("A"), "b");
}

TEST(ImageConfig, IllTypedFieldsAreBuildErrorsNamingTheImage) {
    EXPECT_EQ(message_of(R"({"rootfs":{"diff_ids":"sha256:x"}})"), "base image acme/web:1: rootfs.diff_ids is not a list of strings");
    EXPECT_EQ(message_of(R"({"rootfs":{"diff_ids":[1]}})"), "base image acme/web:1: rootfs.diff_ids is not a list of strings");
    EXPECT_EQ(message_of(R"({"config":{"Env":["A=b",7]}})"), "base image acme/web:1: config.Env is not a list of strings");
    EXPECT_EQ(message_of("[]"), "base image acme/web:1: the image config is not a JSON object");
    EXPECT_EQ(message_of(R"({"config":{"Env":null}})"), "");
}
