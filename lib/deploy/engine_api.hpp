#pragma once
/// The Docker Engine API requests registry.direct sends to a host's dockerd through its unix
/// socket (deploy/direct.hpp's engine_load), and what its answers mean. Pure: the answers come from
/// the host, so they are fuzzed (tests/fuzz/http_response_fuzz.cpp). Here, not in lib/remote: the
/// answers are ssh::HttpResponse, a layer above remote.
#include <string>

#include "ssh/connection.hpp"

namespace hoist::deploy {

/// The path of POST /images/{id}/tag naming `ref` ("repo[:tag]", the registry may have a port).
std::string engine_tag_path(const std::string& config_hex, const std::string& ref);

/// What dockerd answered to POST /images/load (a JSON message a line): empty when it loaded the
/// image `config_hex`, else why not in its own words.
std::string engine_load_error(const std::string& http_answer, const std::string& config_hex);

/// dockerd's message in an error answer ({"message": ...}), else the body as it is.
std::string engine_message(const ssh::HttpResponse& r);

}  // namespace hoist::deploy
