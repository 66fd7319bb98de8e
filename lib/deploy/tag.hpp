#pragma once
/// Which tag a deploy uses (spec: `tag`): --tag, else the file's tag, else the build context's git
/// commit (12 characters), else a UTC timestamp YYYYMMDDhhmmss.
#include <string>

#include "config/pipeline.hpp"

namespace hoist::deploy {

std::string resolve_tag(const config::Pipeline& p, const std::string& override_tag);

}  // namespace hoist::deploy
