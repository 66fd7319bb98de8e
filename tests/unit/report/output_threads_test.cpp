// report::Output from many threads at once: the build-and-push thread, the engine's host threads
// and the main thread all write to it. Every line must arrive whole (ThreadSanitizer checks the
// rest in the sanitizer run of this suite).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/output.hpp"
#include "util/strings.hpp"

namespace hoist::report {
namespace {

std::string read_all(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string s;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) s.append(buf, n);
    return s;
}

TEST(OutputThreads, LinesAndEventsFromManyThreadsArriveWhole) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    ASSERT_TRUE(out && err);
    {
        OutputOptions o;
        o.format = Format::json;
        o.timestamps = true;
        Output output(o, out, err);
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 200; ++i) {
                    output.event("step", {{"thread", t}, {"i", i}, {"text", std::string(100, 'a' + t)}});
                    output.info("thread " + std::to_string(t) + " line " + std::to_string(i) + " " + std::string(80, 'x'));
                    if (i % 50 == 0) output.begin_phase("phase " + std::to_string(t));
                    output.with_bars([](ProgressBars&) {});
                }
            });
        for (auto& th : threads) th.join();
        output.end_phase();
    }
    int events = 0;
    for (const auto& line : split(read_all(out), '\n')) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << "a torn JSON line: " << line;
        if (j["event"] == "step") {
            ++events;
            EXPECT_EQ(j["text"].get<std::string>().size(), 100u);
        }
    }
    EXPECT_EQ(events, 8 * 200);
    int infos = 0;
    for (const auto& line : split(read_all(err), '\n')) {
        if (line.find(" line ") == std::string::npos) continue;
        ++infos;
        // "<time> thread T line I xxx...x": one message, whole, nothing of another in between
        std::string tail = line.substr(line.find("thread "));
        EXPECT_EQ(tail.rfind("thread "), 0u) << "two messages on one line: " << line;
        EXPECT_TRUE(tail.size() > 80 && tail.compare(tail.size() - 81, 81, " " + std::string(80, 'x')) == 0)
            << "a torn message line: " << line;
    }
    EXPECT_EQ(infos, 8 * 200);
    std::fclose(out);
    std::fclose(err);
}

}  // namespace
}  // namespace hoist::report
