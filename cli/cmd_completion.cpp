// hoist completion bash|zsh: the shell completion script, generated from this very command line.
#include "completion/completion.hpp"
#include "context.hpp"

namespace hoist::cli {

void register_completion(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("completion", "Print the shell completion script (bash or zsh)");
    static std::string shell;
    cmd->add_option("shell", shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
    cmd->footer(
        "bash: source <(hoist completion bash)   zsh: hoist completion zsh > \"${fpath[1]}/_hoist\"\n"
        "Packages and `cmake --install` install both scripts where the shells look for them.");
    cmd->callback([&ctx, &app] {
        ctx.command = "completion";
        ctx.run = [&app] {
            auto info = completion::describe(app, {"--file", "--from"});
            std::string script =
                shell == "bash" ? completion::bash_script(info) : completion::zsh_script(info);
            std::fputs(script.c_str(), stdout);  // the script itself, in every output mode
            return 0;
        };
    });
}

}  // namespace hoist::cli
