// registry.insecure names the pipeline's registry only: a FROM image of any other registry is
// pulled over verified HTTPS, so config.json credentials never go out in clear.
#include "image/base_image.hpp"

#include <gtest/gtest.h>

using hoist::image::RegistryAccess;

TEST(RegistryAccess, InsecureOnlyForThePipelinesOwnRegistry) {
    RegistryAccess a;
    a.insecure = true;
    a.pipeline_registry = "10.0.0.1:5000";
    EXPECT_TRUE(a.insecure_for("10.0.0.1:5000"));
    EXPECT_FALSE(a.insecure_for("docker.io"));
    EXPECT_FALSE(a.insecure_for("10.0.0.1:5001"));
    EXPECT_FALSE(a.insecure_for("ghcr.io"));
    a.insecure = false;
    EXPECT_FALSE(a.insecure_for("10.0.0.1:5000"));
}
