#pragma once
/// The state of the one build stage while instructions run (shared by the native builder's
/// instruction handlers; not part of the public API).
#include <map>
#include <optional>
#include <set>
#include <string>

#include "image/base_image.hpp"
#include "image/dockerfile.hpp"
#include "image/image_config.hpp"
#include "image/shell_words.hpp"

namespace hoist::image {

struct Stage {
    const Dockerfile* df = nullptr;
    BaseImage base;
    ImageConfig& config() { return base.config; }
    const ImageConfig& config() const { return base.config; }
    std::map<std::string, std::optional<std::string>> args;  ///< declared ARGs (nullopt: no value)
    std::map<std::string, std::optional<std::string>> global_args;  ///< ARGs before FROM
    std::map<std::string, std::string> build_args;           ///< given by the pipeline
    std::set<std::string> used_build_args;
    bool cmd_set = false;  ///< CMD seen in this stage (ENTRYPOINT then keeps it)

    /// Variables for substitution: ARG values overlaid by ENV.
    Vars vars() const;
    /// Expands one word; syntax errors are located at `ins`.
    std::string word(const Instruction& ins, const std::string& w) const;
    std::string workdir();
};

/// Applies a metadata-only instruction (ENV, LABEL, EXPOSE, USER, CMD, ENTRYPOINT, STOPSIGNAL,
/// HEALTHCHECK, VOLUME, SHELL, ONBUILD, MAINTAINER, ARG). Returns false if `ins` is not one.
bool apply_metadata(Stage& stage, const Instruction& ins);

/// Declares ARGs from `ins` into `args` (values from `given`, else the default expanded with `vars`).
void declare_args(const Dockerfile& df, const Instruction& ins, const Vars& vars,
                  std::map<std::string, std::optional<std::string>>& args,
                  const std::map<std::string, std::string>& given, std::set<std::string>& used,
                  const std::map<std::string, std::optional<std::string>>* globals = nullptr);

}  // namespace hoist::image
