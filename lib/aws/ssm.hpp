#pragma once
/// SSM Parameter Store (JSON 1.1, `X-Amz-Target: AmazonSSM.GetParameters`): hoist only checks that
/// the parameters a launch template's user data will read at boot exist and what type they are.
/// It never asks for a decrypted value: secrets are read by the instance, with its own role.
#include <string>
#include <vector>

#include "aws/query.hpp"

namespace hoist::aws {

extern const Service kSsm;  ///< ssm, AWS_ENDPOINT_URL_SSM

struct SsmParameterInfo {
    std::string name, type;  ///< type: String | StringList | SecureString
};

struct SsmLookup {
    std::vector<SsmParameterInfo> found;
    std::vector<std::string> missing;  ///< InvalidParameters: no such parameter (or not visible)
};

/// The GetParameters request body ({"Names": [...], "WithDecryption": false}).
std::string get_parameters_body(const std::vector<std::string>& names);
/// Names and types of an answer (values are never read), and its InvalidParameters.
SsmLookup read_parameters(const std::string& body);
/// Every name looked up, 10 a call (AWS's limit), without decryption.
SsmLookup lookup_parameters(QueryClient& ssm, const std::vector<std::string>& names);

}  // namespace hoist::aws
