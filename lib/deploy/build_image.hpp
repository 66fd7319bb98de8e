#pragma once
/// The pipeline's `build:` section turned into a tagged image in the local store — the one entry
/// point `hoist build`, `hoist push` and `hoist deploy` share. (Here, not in lib/image: the builders
/// take their options, never the pipeline.)
#include <string>

#include "config/pipeline.hpp"
#include "image/native_builder.hpp"
#include "oci/image_store.hpp"

namespace hoist::deploy {

/// SOURCE_DATE_EPOCH from the environment, else 0. Throws hoist::Error(usage) when malformed.
std::int64_t source_date_epoch();

/// Builds `p.build` as `<p.image>:<tag>` into `store` with the configured builder.
/// Throws hoist::Error (exit 5) with a located message on failure.
image::BuildResult build_pipeline_image(const config::Pipeline& p, const std::string& tag, oci::ImageStore& store,
                                        const image::StepCallback& on_step);

}  // namespace hoist::deploy
