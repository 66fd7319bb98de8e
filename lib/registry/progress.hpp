#pragma once
/// What a push reports as it goes. lib/report renders it (a line per blob here; bars on a
/// terminal later); tests record it. Every callback runs on the thread that called push_image.
#include <chrono>
#include <cstdint>
#include <string>

#include "oci/digest.hpp"

namespace hoist::registry {

/// How a blob reached the registry.
enum class BlobAction { exists, mounted, uploaded };
std::string to_string(BlobAction a);

struct BlobResult {
    std::string label;         ///< "config", "layer 2/3"
    oci::Digest digest;
    std::int64_t size = 0;
    BlobAction action = BlobAction::exists;
    std::int64_t bytes_sent = 0;  ///< body bytes sent, all attempts included
    int attempts = 1;
    std::chrono::milliseconds duration{0};
};

class PushObserver {
public:
    virtual ~PushObserver() = default;
    /// A blob transfer began (size -1 while a compressor's output length is unknown).
    virtual void blob_started(const std::string& /*label*/, const std::string& /*digest*/, std::int64_t /*size*/) {}
    /// Bytes sent so far for a blob; called at most every few hundred milliseconds.
    virtual void blob_progress(const std::string& /*label*/, std::int64_t /*sent*/, std::int64_t /*size*/) {}
    /// An attempt failed and will be retried after `delay`.
    virtual void blob_retry(const std::string& /*label*/, const std::string& /*reason*/, std::chrono::milliseconds /*delay*/) {}
    virtual void blob_done(const BlobResult& /*result*/) {}
    virtual void manifest_pushed(const std::string& /*ref*/, const oci::Digest& /*digest*/, const std::string& /*media_type*/) {}
};

}  // namespace hoist::registry
