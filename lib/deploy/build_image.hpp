#pragma once
/// The pipeline's `build:` section turned into a tagged image in the local store — the one entry
/// point `hoist build`, `hoist push` and `hoist deploy` share.
#include <string>

#include "image/native_builder.hpp"
#include "config/pipeline.hpp"
#include "oci/image_store.hpp"

namespace hoist::image {

/// SOURCE_DATE_EPOCH from the environment, else 0. Throws hoist::Error(usage) when malformed.
std::int64_t source_date_epoch();

/// Builds `p.build` as `<p.image>:<tag>` into `store` with the configured builder.
/// Throws hoist::Error (exit 5) with a located message on failure.
BuildResult build_pipeline_image(const config::Pipeline& p, const std::string& tag, oci::ImageStore& store,
                                 const StepCallback& on_step);

}  // namespace hoist::image
