#include "util/harden.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

namespace hoist {

void harden_process() {
    // Failures are ignored: neither call can fail for an unprivileged process lowering its own limits.
    struct rlimit none {0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

}  // namespace hoist
