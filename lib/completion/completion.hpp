#pragma once
/// Shell completion scripts generated from the CLI11 app itself, so every subcommand and flag
/// is completed without a hand-kept list that drifts: `hoist completion bash|zsh` prints them and
/// the build installs them (share/bash-completion/completions/hoist, zsh's vendor-completions).
///
/// The app is first read into a plain tree (`describe`), and the scripts are rendered from that
/// tree, so tests can check the text for a small tree and run the real scripts in bash and zsh.
#include <set>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace hoist::completion {

struct OptionInfo {
    std::vector<std::string> names;  ///< "-f", "--file"
    std::string description;
    bool takes_value = false;
    bool repeatable = false;
    bool files = false;                ///< the value is a file path
    std::vector<std::string> choices;  ///< from a CLI::IsMember check: "human", "json"
};

struct CommandInfo {
    std::string name;  ///< "hoist", "lock", "status"
    std::string description;
    std::vector<OptionInfo> options;
    std::vector<std::string> argument_choices;  ///< a positional's choices: completion's "bash", "zsh"
    std::vector<CommandInfo> subcommands;
};

/// Reads `app` (its options, choices and subcommands, recursively). Options named in
/// `file_options` (long names, "--file") complete file names.
CommandInfo describe(CLI::App& app, const std::set<std::string>& file_options);

/// A bash script defining `_<name>` and `complete -F _<name> <name>`.
std::string bash_script(const CommandInfo& root);

/// A zsh script for fpath (`#compdef <name>`): `_arguments` specs per command.
std::string zsh_script(const CommandInfo& root);

}  // namespace hoist::completion
