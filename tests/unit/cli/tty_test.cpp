// hoist on a real terminal (a pseudo-terminal from script(1)) and off one: colour and phase
// headers appear only on the terminal; piped output has no escape codes at all.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "remote/shell.hpp"
#include "util/process.hpp"

using namespace hoist;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/hoist-tty-test-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

/// Runs hoist with stdout and stderr on a pseudo-terminal (`script -qfec`); returns what the
/// terminal showed (both streams, with the pty's CRLF line ends).
ProcessResult on_tty(const std::vector<std::string>& args, const fs::path& cwd, std::map<std::string, std::string> env) {
    std::string cmd = remote::quote(HOIST_BINARY);
    for (const auto& a : args) cmd += " " + remote::quote(a);
    ProcessOptions o;
    o.cwd = cwd.string();
    o.env = {{"GITHUB_ACTIONS", ""}, {"NO_COLOR", ""}, {"TERM", "xterm-256color"}};
    for (auto& [k, v] : env) o.env[k] = v;
    return run_process({"script", "-qfec", cmd, "/dev/null"}, o);
}

ProcessResult piped(const std::vector<std::string>& args, const fs::path& cwd, std::map<std::string, std::string> env) {
    std::vector<std::string> argv{HOIST_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions o;
    o.cwd = cwd.string();
    o.env = {{"GITHUB_ACTIONS", ""}, {"NO_COLOR", ""}, {"TERM", "xterm-256color"}};
    for (auto& [k, v] : env) o.env[k] = v;
    return run_process(argv, o);
}

void write_project(const fs::path& dir) {
    std::ofstream(dir / "hoist.yml") << "service: web\nimage: registry.test/acme/web\ntag: v1\n"
                                        "build: { context: app }\nhosts: [10.0.0.1]\n";
    fs::create_directories(dir / "app");
    std::ofstream(dir / "app/Dockerfile") << "FROM scratch\nCOPY index.html /www/\n";
    std::ofstream(dir / "app/index.html") << "hi\n";
}

}  // namespace

TEST(Tty, ColourAndPhaseHeadersOnATerminal) {
    TempDir dir;
    write_project(dir.path);
    std::map<std::string, std::string> env{{"XDG_CACHE_HOME", (dir.path / "cache").string()}};
    auto r = on_tty({"build"}, dir.path, env);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("\033[1m==> build\033[0m"), std::string::npos) << r.out;
    // no timestamps on a terminal
    EXPECT_NE(r.out.find("\r\n[1/2] FROM scratch"), std::string::npos) << r.out;

    std::ofstream(dir.path / "hoist.yml", std::ios::app) << "hots: 1\n";
    auto bad = on_tty({"validate"}, dir.path, env);
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.out.find("\033[31merror: \033[0mhoist.yml: 1 problem found"), std::string::npos) << bad.out;
}

TEST(Tty, NoColourWithNoColorOrTheFlag) {
    TempDir dir;
    write_project(dir.path);
    std::ofstream(dir.path / "hoist.yml", std::ios::app) << "hots: 1\n";
    auto env_off = on_tty({"validate"}, dir.path, {{"NO_COLOR", "1"}});
    auto flag_off = on_tty({"--no-color", "validate"}, dir.path, {});
    auto dumb = on_tty({"validate"}, dir.path, {{"TERM", "dumb"}});
    for (const auto* r : {&env_off, &flag_off, &dumb}) {
        EXPECT_EQ(r->exit_code, 2);
        EXPECT_NE(r->out.find("error: hoist.yml: 1 problem found"), std::string::npos) << r->out;
        EXPECT_EQ(r->out.find('\033'), std::string::npos) << r->out;
    }
}

TEST(Tty, PipedOutputHasNoEscapeCodesAndTimestampedLines) {
    TempDir dir;
    write_project(dir.path);
    auto r = piped({"build"}, dir.path, {{"XDG_CACHE_HOME", (dir.path / "cache").string()}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find('\033'), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find('\033'), std::string::npos) << r.err;
    // one event per line, each with its time (Jenkins, log files)
    std::size_t start = 0, lines = 0;
    while (start < r.err.size()) {
        std::size_t end = r.err.find('\n', start);
        std::string line = r.err.substr(start, end - start);
        EXPECT_EQ(line.size() > 25 ? line.substr(10, 1) + line.substr(23, 2) : line, "TZ ") << line;
        ++lines;
        start = end + 1;
    }
    EXPECT_GE(lines, 4u) << r.err;  // building, ==> build, two steps
}
