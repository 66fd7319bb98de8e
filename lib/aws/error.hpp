#pragma once
/// Errors from AWS: an API's own error (code and message from the XML body, HTTP status, request
/// id), a request that never got an answer, or credentials/region that could not be found.
#include <string>

#include "util/error.hpp"

namespace hoist::aws {

/// `what()` is the whole message ("elasticloadbalancing DescribeTargetHealth: TargetGroupNotFound:
/// One or more target groups not found (HTTP 400, request id ...)"). Nothing was changed by hoist
/// when one is thrown before a mutating call, hence exit code 2 unless the caller decides otherwise.
class Error : public hoist::Error {
public:
    Error(std::string code, const std::string& message, long status = 0)
        : hoist::Error(ExitCode::usage, message), m_code(std::move(code)), m_status(status) {}
    /// AWS's error code ("Throttling", "AccessDenied"); "" for transport and local problems.
    const std::string& aws_code() const { return m_code; }
    /// HTTP status, 0 when no response came.
    long status() const { return m_status; }

private:
    std::string m_code;
    long m_status;
};

}  // namespace hoist::aws
