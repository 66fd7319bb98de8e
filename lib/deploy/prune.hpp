#pragma once
/// `hoist prune [--keep N]` (spec section 6): what to remove on one host. Pure: the command looks,
/// this decides, the command removes and says what it freed.
///
/// Kept on every host: every running container; per role the live container and the rollback one
/// (the newest other container of the role, whatever its state); the containers and images of the
/// last `keep` versions (ranked by the host's deploy history, newest first, then versions the history
/// does not name by their newest container there). Removed: stopped containers and
/// image tags of the service older than that. A tag no container was ever made of on the host is
/// not a version the host ran: it is removed too (a pre-pull for a later deploy is pulled again).
#include <string>
#include <vector>

#include "deploy/state.hpp"

namespace hoist::deploy {

struct PruneChoice {
    std::vector<std::string> containers;     ///< names to remove
    std::vector<std::string> tags;           ///< image tags of the service to remove
    std::vector<std::string> kept_versions;  ///< newest first
};

/// `containers`: every hoist container of the service on the host (every role); `tags`: the tags of
/// the service's image there; `deployed`: the versions the host's history says it was updated to,
/// newest first.
PruneChoice choose_prune(const std::vector<ObservedContainer>& containers, const std::vector<std::string>& tags,
                         int keep, const std::vector<std::string>& deployed = {});

}  // namespace hoist::deploy
