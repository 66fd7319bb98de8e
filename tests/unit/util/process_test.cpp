// run_process: deadlines, process groups, and input written while output is read.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "util/process.hpp"
#include "util/process_stream.hpp"

namespace hoist {
namespace {

using namespace std::chrono;

TEST(Process, CapturesOutputAndExitCode) {
    auto r = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.out, "out\n");
    EXPECT_EQ(r.err, "err\n");
    EXPECT_FALSE(r.timed_out);
}

TEST(Process, ADeadlineEndsAChildThatNeverExits) {
    ProcessOptions o;
    o.timeout = milliseconds(300);
    auto t0 = steady_clock::now();
    auto r = run_process({"sleep", "30"}, o);
    auto took = steady_clock::now() - t0;
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.exit_code, 128 + 15);  // SIGTERM
    EXPECT_LT(took, seconds(10));
}

TEST(Process, AChildIgnoringSigtermIsKilledAfterTheGrace) {
    ProcessOptions o;
    o.timeout = milliseconds(200);
    auto t0 = steady_clock::now();
    auto r = run_process({"sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"}, o);
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.exit_code, 128 + 9);  // SIGKILL
    EXPECT_LT(steady_clock::now() - t0, seconds(10));
}

TEST(Process, ANewGroupTakesTheGrandchildrenDownToo) {
    ProcessOptions o;
    o.timeout = milliseconds(300);
    o.new_group = true;
    // The grandchild holds the output pipe open; without group signalling it would keep
    // the pipe (and a reader without a deadline) alive for 30 s.
    auto t0 = steady_clock::now();
    auto r = run_process({"sh", "-c", "sleep 31.5213 & wait"}, o);
    EXPECT_TRUE(r.timed_out);
    EXPECT_LT(steady_clock::now() - t0, seconds(10));
    // The grandchild got the signal too (SIGTERM goes to the group): none is left.
    bool left = true;
    for (int i = 0; i < 50 && left; ++i) {
        left = run_process({"pgrep", "-f", "^sleep 31.5213$"}).exit_code == 0;
        if (left) std::this_thread::sleep_for(milliseconds(20));
    }
    EXPECT_FALSE(left) << "the background sleep survived its process group's timeout";
}

TEST(Process, AGrandchildHoldingThePipeDoesNotHoldUsAfterTheChildExits) {
    // The child exits at once; its background child keeps stdout open for 30 s.
    auto t0 = steady_clock::now();
    auto r = run_process({"sh", "-c", "echo started; (sleep 32.4057 >/dev/stdout &) ; exit 0"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "started\n");
    EXPECT_LT(steady_clock::now() - t0, seconds(10));
    run_process({"pkill", "-f", "^sleep 32.4057$"});
}

TEST(Process, LargeInputAndLargeOutputDoNotDeadlock) {
    // cat echoes its input as it reads it: writing all the input before reading any output
    // would fill both pipes (64 KiB each) and block for ever.
    std::string input(4 << 20, 'x');
    ProcessOptions o;
    o.input = input;
    o.timeout = seconds(30);
    auto r = run_process({"cat"}, o);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.size(), input.size());
}

TEST(Process, AChildThatDoesNotReadItsInputIsNotAnError) {
    ProcessOptions o;
    o.input = std::string(1 << 20, 'y');
    auto r = run_process({"sh", "-c", "exit 0"}, o);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_FALSE(r.timed_out);
}

// A hook's lines are shown while it runs: the first line arrives while the child still waits for
// a file that only the line handler creates, so a run that hands lines over at the end deadlocks
// into its deadline instead.
TEST(Process, LinesArriveWhileTheChildRuns) {
    char tmpl[] = "/tmp/hoist-lines-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    std::string flag = std::string(tmpl) + "/go";
    std::vector<std::string> lines;
    ProcessOptions o;
    o.timeout = seconds(10);
    auto r = run_process_lines({"sh", "-c", "echo first; echo warn >&2; while [ ! -f '" + flag +
                                                "' ]; do sleep 0.05; done; printf 'last'"},
                               o, [&](bool is_err, const std::string& line) {
                                   lines.push_back((is_err ? "err:" : "out:") + line);
                                   if (line == "first") (void)!system(("touch '" + flag + "'").c_str());
                               });
    std::filesystem::remove_all(tmpl);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "first\nlast");
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "out:first");
    EXPECT_EQ(lines[1], "err:warn");
    EXPECT_EQ(lines[2], "out:last");
}

TEST(Process, AMissingProgramExits127) {
    auto r = run_process({"/nonexistent/hoist-no-such-program"});
    EXPECT_EQ(r.exit_code, 127);
}

}  // namespace
}  // namespace hoist
