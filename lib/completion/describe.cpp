// Reading a CLI11 app into CommandInfo. CLI11 keeps IsMember choices only as the check's
// description ("{human,json}", shown in help as TEXT:{human,json}), so they are read from there.
#include <CLI/CLI.hpp>

#include "completion/completion.hpp"

namespace hoist::completion {

namespace {

std::vector<std::string> choices_of(const CLI::Option& opt) {
    std::string t = opt.get_type_name();
    auto open = t.find(":{");
    auto close = t.rfind('}');
    if (open == std::string::npos || close == std::string::npos || close < open) return {};
    std::vector<std::string> out;
    std::string item;
    for (char c : t.substr(open + 2, close - open - 2)) {
        if (c == ',') {
            out.push_back(item);
            item.clear();
        } else {
            item += c;
        }
    }
    if (!item.empty()) out.push_back(item);
    return out;
}

}  // namespace

CommandInfo describe(CLI::App& app, const std::set<std::string>& file_options) {
    CommandInfo info;
    info.name = app.get_name();
    info.description = app.get_description();
    for (const CLI::Option* opt : app.get_options()) {
        if (!opt->nonpositional()) {  // a positional: its choices, if any; free text (exec's command) has
                                      // none
            for (auto& c : choices_of(*opt)) info.argument_choices.push_back(c);
            continue;
        }
        OptionInfo o;
        for (const auto& s : opt->get_snames()) o.names.push_back("-" + s);
        for (const auto& l : opt->get_lnames()) o.names.push_back("--" + l);
        o.description = opt->get_description();
        o.takes_value = opt->get_items_expected_max() > 0;  // flags expect 0 items
        o.repeatable = o.takes_value && opt->get_items_expected_max() > 1;
        o.choices = choices_of(*opt);
        for (const auto& l : opt->get_lnames()) o.files = o.files || file_options.count("--" + l);
        info.options.push_back(std::move(o));
    }
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
        info.subcommands.push_back(describe(*sub, file_options));
    return info;
}

}  // namespace hoist::completion
