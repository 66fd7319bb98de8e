#pragma once
/// Uploads many blobs at once on one libcurl multi handle.
///
/// One BlobUpload state machine per blob; at most `max_parallel` of them have a request in flight.
/// The loop matches each finished transfer to its job by easy handle, feeds the response to the
/// job and starts the job's next request, so a blob's HEAD, POST, PATCH and PUT follow each other
/// while other blobs stream. Retryable failures (see retry.hpp) park the job until its backoff
/// ends; a 401 re-authenticates once through the client's Authenticator and repeats the request.
/// The first hard failure stops everything: in-flight transfers are cancelled and the error is
/// thrown, so the caller never pushes a manifest over missing blobs.
#include <vector>

#include "registry/blob_upload.hpp"
#include "registry/client.hpp"
#include "registry/progress.hpp"

namespace hoist::registry {

/// Uploads every blob (in order of `specs` as far as parallelism allows); returns one result per
/// spec, in the same order. Throws hoist::Error (exit 5) naming the blob, status and registry
/// error when one cannot be uploaded.
std::vector<BlobResult> upload_blobs(Client& client, std::vector<BlobSpec> specs, PushObserver& observer);

}  // namespace hoist::registry
