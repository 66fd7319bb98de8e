#pragma once
/// Which tag a deploy uses (spec: `tag`): --tag, else the file's tag, else the build context's git
/// commit (12 characters), else a UTC timestamp YYYYMMDDhhmmss.
#include <string>

#include "config/pipeline.hpp"

namespace hoist::deploy {

/// Throws a usage error (exit 2) unless `tag` is valid (util/names.hpp): `--tag`, `--to` and
/// tags read from hosts all pass here. `where` names the source: "--tag", "--to", "history on HOST".
void check_tag(const std::string& tag, const std::string& where);

/// The tag to deploy; an override (--tag) is checked with check_tag().
std::string resolve_tag(const config::Pipeline& p, const std::string& override_tag);

}  // namespace hoist::deploy
