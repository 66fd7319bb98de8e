#include <gtest/gtest.h>
#include "util/strings.hpp"
TEST(Strings, EditDistance) { EXPECT_EQ(hoist::edit_distance("hots", "hosts"), 1u); }
