#pragma once
/// Process hardening done first thing in main(): hoist holds registry passwords, secret env
/// values and SSH keys in memory, and a crash in CI must not write them into a core file that a
/// later step (or an artifact upload) picks up.
namespace hoist {

/// Sets RLIMIT_CORE to 0 and marks the process not dumpable (PR_SET_DUMPABLE 0, which also keeps
/// other processes of the same user from ptrace-attaching to read its memory). Children get
/// dumpable back at exec; the core limit stays 0 for them.
void harden_process();

}  // namespace hoist
