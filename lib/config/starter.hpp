#pragma once
/// The commented starter file `hoist init` writes.
#include <string>

namespace hoist::config {

/// A valid pipeline (with REGISTRY_USER/REGISTRY_PASSWORD defaulting to empty) for `service`.
std::string starter_pipeline(const std::string& service);

}  // namespace hoist::config
