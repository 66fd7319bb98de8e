// Completion scripts: the exact text for a small app, and the real scripts run in bash and zsh.
#include "completion/completion.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>

#include "util/process.hpp"
#include "util/strings.hpp"

using namespace hoist;

namespace {

/// A two-level app shaped like hoist's: a global file option and choice, a subcommand with a
/// flag, one with subcommands, one with a positional choice.
struct MiniApp {
    CLI::App app{"mini", "mini"};
    std::string file, out, msg, shell;
    bool force = false;
    MiniApp() {
        app.set_help_flag();
        app.add_option("-f,--file", file, "Pipeline file");
        app.add_option("-o,--output", out, "Output format")->check(CLI::IsMember({"human", "json"}));
        auto* deploy = app.add_subcommand("deploy", "Roll out");
        deploy->set_help_flag();
        deploy->add_flag("--force", force, "Do it: really");
        auto* lock = app.add_subcommand("lock", "The lock");
        lock->set_help_flag();
        lock->add_subcommand("release", "Release it")->set_help_flag();
        auto* comp = app.add_subcommand("completion", "Scripts");
        comp->set_help_flag();
        comp->add_option("shell", shell)->check(CLI::IsMember({"bash", "zsh"}));
    }
};

std::string write_temp(const std::string& text) {
    char path[] = "/tmp/hoist-completion-XXXXXX";
    int fd = mkstemp(path);
    std::string p = path;
    close(fd);
    std::ofstream(p) << text;
    return p;
}

std::string hoist_script(const std::string& shell) {
    auto r = run_process({HOIST_BINARY, "completion", shell});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

/// What bash's completion of `words` (the last one being completed) offers.
std::string bash_complete(const std::string& script, const std::string& words) {
    std::string file = write_temp(script);
    std::string cmd = "source " + file + "; COMP_WORDS=(" + words +
                      "); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _hoist; echo \"${COMPREPLY[*]}\"";
    auto r = run_process({"bash", "--norc", "-c", cmd});
    std::remove(file.c_str());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return trim(r.out);
}

}  // namespace

TEST(Completion, DescribeReadsOptionsChoicesAndSubcommands) {
    MiniApp m;
    auto info = completion::describe(m.app, {"--file"});
    ASSERT_EQ(info.options.size(), 2u);
    EXPECT_EQ(info.options[0].names, (std::vector<std::string>{"-f", "--file"}));
    EXPECT_TRUE(info.options[0].files);
    EXPECT_TRUE(info.options[0].takes_value);
    EXPECT_EQ(info.options[1].choices, (std::vector<std::string>{"human", "json"}));
    ASSERT_EQ(info.subcommands.size(), 3u);
    EXPECT_FALSE(info.subcommands[0].options[0].takes_value);  // --force is a flag
    EXPECT_EQ(info.subcommands[1].subcommands[0].name, "release");
    EXPECT_EQ(info.subcommands[2].argument_choices, (std::vector<std::string>{"bash", "zsh"}));
}

TEST(Completion, ZshSpecsForTheMiniApp) {
    MiniApp m;
    std::string z = completion::zsh_script(completion::describe(m.app, {"--file"}));
    EXPECT_NE(z.find("    _arguments -C \\\n        '(-f --file)'{-f,--file}'[Pipeline file]:file:_files' \\\n"
                     "        '(-o --output)'{-o,--output}'[Output format]:output:(human json)' \\\n"
                     "        '1: :->cmds' \\\n        '*::arg:->args'\n"),
              std::string::npos)
        << z;
    EXPECT_NE(z.find("_mini_deploy() {\n    _arguments \\\n        '--force[Do it\\: really]'\n}\n"), std::string::npos) << z;
    EXPECT_NE(z.find("'1:argument:(bash zsh)'"), std::string::npos) << z;
    EXPECT_NE(z.find("                lock) _mini_lock ;;\n"), std::string::npos) << z;
}

TEST(Completion, BashCompletesHoistCommandsFlagsAndValues) {
    std::string s = hoist_script("bash");
    EXPECT_EQ(bash_complete(s, "hoist pu"), "push");
    EXPECT_EQ(bash_complete(s, "hoist -o ''"), "human json");
    EXPECT_EQ(bash_complete(s, "hoist -f hoist.yml de"), "deploy");  // the file name is not a command
    EXPECT_EQ(bash_complete(s, "hoist deploy --sk"), "--skip-build --skip-push");
    EXPECT_EQ(bash_complete(s, "hoist lock re"), "release");
    EXPECT_EQ(bash_complete(s, "hoist completion ''").substr(0, 8), "bash zsh");
    EXPECT_EQ(bash_complete(s, "hoist deploy --rep"), "--report");  // globals after the subcommand
    EXPECT_EQ(bash_complete(s, "hoist exec -- d"), "");                // the remote command is free text
    EXPECT_NE(bash_complete(s, "hoist -f " + std::string(HOIST_SOURCE_DIR) + "/pipelines/rolling-n")
                  .find("rolling-nginx.yml"),
              std::string::npos);
}

TEST(Completion, BashOffersEverySubcommandAndEveryFlagOfHoist) {
    std::string s = hoist_script("bash");
    std::string top = bash_complete(s, "hoist ''");
    for (const char* c : {"init", "validate", "plan", "build", "push", "deploy", "rollback", "status", "exec", "logs",
                          "lock", "history", "version", "completion", "--file", "--stage", "--hosts", "--output",
                          "--no-color", "--verbose", "--quiet", "--report"})
        EXPECT_NE((" " + top + " ").find(std::string(" ") + c + " "), std::string::npos) << c << ": " << top;
    std::string push = bash_complete(s, "hoist push -");
    for (const char* f : {"--from", "--to", "--tag", "--insecure", "--max-parallel"})
        EXPECT_NE(push.find(f), std::string::npos) << f;
}

TEST(Completion, ZshScriptRunsAndListsHoistCommands) {
    // zsh runs the real script with _arguments and _describe replaced by functions that print
    // what they are given: it must parse, expand its specs, and dispatch to the subcommands.
    std::string file = write_temp(hoist_script("zsh"));
    std::string cmd = "_arguments() { print -rl -- \"$@\"; state=cmds }; _describe() { print -rl -- \"${(@P)4}\" }; "
                      "compdef() { print compdef \"$@\" }; source " + file +
                      "; _hoist";
    auto r = run_process({"zsh", "-f", "-c", cmd});
    std::remove(file.c_str());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("compdef _hoist hoist"), std::string::npos) << r.out;  // sourced: registers itself
    EXPECT_NE(r.out.find("(-o --output)-o[Output format]:output:(human json)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(-o --output)--output[Output format]:output:(human json)"), std::string::npos);
    EXPECT_NE(r.out.find("deploy:Build, push and roll out"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("completion:Print the shell completion script (bash or zsh)"), std::string::npos);
}
