#pragma once
/// Errors that end a command, each carrying the exit code of the spec (section 3).
#include <stdexcept>
#include <string>

namespace hoist {

/// Exit codes of the command line contract (../shared/spec/pipeline.md section 3).
enum class ExitCode : int {
    ok = 0,
    rolled_back = 1,
    failed = 1,  ///< a command other than deploy/rollback failed (a host could not be reached...)
    usage = 2,  ///< bad usage or invalid pipeline file; nothing touched
    locked = 3,
    inconsistent = 4,  ///< a person must look
    build_push = 5,
    interrupted = 130,
};

/// An error that ends the command with a given exit code. `what()` is the full user-facing message
/// (it says what and where); context is prepended as the error travels up.
class Error : public std::runtime_error {
public:
    Error(ExitCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    ExitCode code() const { return m_code; }

private:
    ExitCode m_code;
};

/// A failure of something hoist talks to or reads that has no exit code of its own: a host (ssh),
/// a load balancer (lb), an answer that does not parse (aws XML), a word of a Dockerfile. Outside
/// a deploy it ends the command with its default code (1: the command failed, naming what). A
/// deploy or rollback does not take that code as is: what a failure means there depends on how far
/// the rollout got, which only lib/deploy knows (session.cpp maps it), so catch sites that rethrow
/// a decided `Error` as is catch `Failure` first.
class Failure : public Error {
public:
    explicit Failure(const std::string& message, ExitCode code = ExitCode::failed) : Error(code, message) {}
};

/// Bad usage or invalid input: exit 2.
inline Error usage_error(const std::string& message) { return Error(ExitCode::usage, message); }

}  // namespace hoist
