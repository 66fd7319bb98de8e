// Hooks are logged as written in the pipeline file: after ${VAR} interpolation a command may
// hold a secret, and outside GitHub Actions nothing masks it.
#include <gtest/gtest.h>

#include "../test_support.hpp"
#include "deploy/session.hpp"
#include "report/output.hpp"

using namespace hoist;

TEST(Hooks, AreLoggedAsWrittenNotAsInterpolated) {
    auto r = test::load("service: web\nimage: registry.example.com/acme/web\nhosts: [h1]\n"
                        "hooks:\n  pre_deploy: ['test \"${TOKEN}\" = s3cr3t-value', 'true']\n",
                        {{"TOKEN", "s3cr3t-value"}});
    ASSERT_TRUE(r.ok()) << test::messages(r);
    EXPECT_EQ(r.pipeline.hooks.pre_deploy[0], "test \"s3cr3t-value\" = s3cr3t-value");  // what runs
    std::FILE* sink = std::tmpfile();
    {
        report::OutputOptions o;
        o.format = report::Format::json;
        report::Output out(o, sink, sink);
        deploy::run_hooks(r.pipeline, r.pipeline.hooks.pre_deploy, "pre_deploy", "v1", 1, out);
    }
    std::rewind(sink);
    std::string text;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, sink)) text.append(buf, n);
    std::fclose(sink);
    EXPECT_NE(text.find("hook pre_deploy: test \"${TOKEN}\" = s3cr3t-value"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("command":"test \"${TOKEN}\" = s3cr3t-value")"), std::string::npos) << text;
    EXPECT_EQ(text.find("\"s3cr3t-value\""), std::string::npos) << "the interpolated command was logged:\n" << text;
}
