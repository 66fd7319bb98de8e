#include "image/base_image.hpp"

#include "aws/ecr.hpp"
#include "aws/error.hpp"
#include "oci/media_types.hpp"
#include "registry/client.hpp"
#include "registry/mount_hints.hpp"
#include "registry/reference.hpp"
#include "util/error.hpp"

namespace hoist::image {

BaseImage resolve_base(const std::string& name, const oci::Platform& platform, oci::ImageStore& store,
                       const RegistryAccess& access) {
    BaseImage base;
    if (name == "scratch") {
        base.config = ImageConfig::scratch(platform);
        return base;
    }
    auto ref = registry::Reference::parse(name);
    base.name = ref.str();
    base.scratch = false;
    registry::Credentials creds = ref.registry == access.pipeline_registry && !access.pipeline_credentials.anonymous()
        ? access.pipeline_credentials
        : registry::credentials_from_docker_config(ref.registry, registry::docker_config_dir());
    if (creds.anonymous() && aws::parse_ecr_host(ref.registry)) {  // ECR needs no login: a token from ECR
        try {
            aws::EcrToken t = aws::ecr_token(ref.registry);
            creds.username = t.username;
            creds.password = std::move(t.password);
            creds.source = "an ECR authorization token";
        } catch (const aws::Error& e) {
            throw Error(ExitCode::build_push, "FROM " + base.name + ": " + e.what());
        }
    }
    registry::ClientOptions options;
    options.insecure = access.insecure_for(ref.registry);
    registry::Client client(ref.api_host(), ref.repository, creds, options);
    try {
        auto fetched = client.get_manifest_for(ref.manifest_ref(), platform);
        auto manifest = oci::parse_manifest(fetched.bytes, base.name);
        base.docker_media_types = fetched.media_type == oci::media::docker_manifest;
        std::string config = client.get_blob(manifest.config.digest);
        base.config = ImageConfig::parse(config, base.name + " config");
        base.layers = manifest.layers;
        // A push to the same registry can then mount the base layers instead of uploading them.
        registry::MountHints hints(store.dir(), ref.api_host());
        for (auto& layer : manifest.layers) {
            hints.record(layer.digest, ref.repository);
            if (!store.has_blob(layer.digest)) {
                // Small bases are the norm for apps built without RUN; the blob is verified by get_blob.
                store.put_blob(client.get_blob(layer.digest), layer.media_type);
            }
            base.fs.apply_tar(store.blob_path(layer.digest));
        }
    } catch (const Error& e) {
        throw Error(ExitCode::build_push, "FROM " + base.name + ": " + e.what());
    }
    return base;
}

}  // namespace hoist::image
