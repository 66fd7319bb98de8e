// hoist push on a real terminal (script(1)'s pseudo-terminal) against a real docker-registry:
// live progress bars redrawn in place on stderr, in colour; the same push piped has one plain
// line per blob and no escape code at all. (Rate and ETA need the engine's progress callbacks,
// every 500 ms of a blob's upload, which a local registry often beats: their text is asserted
// exactly in tests/unit/report/units_test.cpp instead of racing a fast registry here.)
#include <gtest/gtest.h>

#include <regex>

#include "fixture.hpp"
#include "remote/shell.hpp"
#include "util/process.hpp"

using namespace hoist;
using namespace hoist::itest;

TEST(PushTty, ProgressBarsOnATerminalPlainLinesOtherwise) {
    LocalRegistry reg;
    TempDir cache;
    std::string archive = test_archive(0.05, 3);
    std::vector<std::string> args{HOIST_BINARY, "push", "--max-parallel", "2", "--from", "docker-archive:" + archive,
                                  "--to", reg.host() + "/acme/tty:v1"};
    std::string cmd;
    for (const auto& a : args) cmd += (cmd.empty() ? "" : " ") + remote::quote(a);
    ProcessOptions o;
    o.env = {{"XDG_CACHE_HOME", cache.path}, {"GITHUB_ACTIONS", ""}, {"NO_COLOR", ""}, {"TERM", "xterm-256color"}};
    auto tty = run_process({"script", "-qfec", cmd, "/dev/null"}, o);
    ASSERT_EQ(tty.exit_code, 0) << tty.out;
    // a bar line: label, [####----], sizes; drawn, then erased (cursor up, clear to the end) and redrawn
    EXPECT_TRUE(std::regex_search(tty.out, std::regex(R"(layer \d/\d +\[(\033\[32m#*\033\[0m)?[-# ]*\]  [0-9.]+ [KM]?B)")))
        << tty.out;
    EXPECT_NE(tty.out.find("\r\033[1A\033[J"), std::string::npos) << "bars are redrawn in place";
    EXPECT_NE(tty.out.find("\033[1m==> push\033[0m"), std::string::npos) << tty.out;
    EXPECT_NE(tty.out.find("pushed " + reg.host() + "/acme/tty:v1@sha256:"), std::string::npos) << tty.out;

    // the same push again, piped: already there, so plain lines only, no escape codes anywhere
    o.env["XDG_CACHE_HOME"] = cache.path;
    args.insert(args.begin() + 1, "--no-color");
    auto piped = run_process(args, o);
    ASSERT_EQ(piped.exit_code, 0) << piped.err;
    EXPECT_EQ(piped.err.find('\033'), std::string::npos) << piped.err;
    EXPECT_EQ(piped.out.find('\033'), std::string::npos) << piped.out;
    EXPECT_NE(piped.out.find("already in the registry"), std::string::npos) << piped.out;
}

TEST(PushTty, PipedFirstPushHasOneTimestampedLinePerBlob) {
    LocalRegistry reg;
    TempDir cache;
    ProcessOptions o;
    o.env = {{"XDG_CACHE_HOME", cache.path}, {"GITHUB_ACTIONS", ""}};
    auto r = run_process({HOIST_BINARY, "push", "--from", "docker-archive:" + test_archive(0.02), "--to",
                          reg.host() + "/acme/plain:v1"},
                         o);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find('\033'), std::string::npos) << r.err;
    std::regex blob_line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (config|layer \d/\d) sha256:[0-9a-f]{12} .* uploaded in .*)");
    int blobs = 0;
    std::size_t start = 0;
    while (start < r.err.size()) {
        std::size_t end = r.err.find('\n', start);
        blobs += std::regex_match(r.err.substr(start, end - start), blob_line);
        start = end == std::string::npos ? r.err.size() : end + 1;
    }
    EXPECT_EQ(blobs, 4) << r.err;  // config + 3 layers
}
