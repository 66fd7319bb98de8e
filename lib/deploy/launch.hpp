#pragma once
/// `launch: converge` (spec section 8): instances an Auto Scaling group launches later run the
/// current release without a person. After each successful deploy hoist writes a new version of
/// the group's launch template whose user data, run by cloud-init at first boot, pulls the release
/// by digest (logging in to ECR with the instance's role when the image is on ECR), reads the
/// secrets from SSM Parameter Store with the instance's role, starts the container exactly as
/// `hoist deploy` starts it (same name, labels, env, ports, volumes, options: remote::run of the
/// planner's container_spec) and waits until it answers its health check. Older versions hoist
/// wrote are pruned to a few.
///
/// The user data holds no secret: it names the SSM parameters, never their values, and the
/// registry password never goes into it (a non-ECR registry with a password is refused by
/// validation). hoist itself never decrypts a parameter; it only checks they exist.
#include <string>
#include <utility>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/query.hpp"
#include "config/pipeline.hpp"
#include "remote/docker.hpp"

namespace hoist::deploy {

/// What the user data starts.
struct BootRelease {
    remote::ContainerSpec container;  ///< as the deploy started it (deploy::container_spec)
    std::string pull_ref;             ///< `<image>@sha256:...`, or `<image>:<tag>` when no digest is known
    std::string digest;               ///< "sha256:..." or ""
    std::string ecr_registry, ecr_region;  ///< both set: log in to ECR at boot with the instance's role
    std::vector<std::pair<std::string, std::string>> secrets;  ///< env name -> SSM parameter
    std::string ssm_region;
    config::HealthcheckSettings health;
    /// The launch template version's description: "hoist: <service> <tag> <digest>".
    std::string description() const;
};

/// The release of `tag` as the pipeline's web role runs it (rolling: `<service>-<tag>` on the
/// pipeline's port; blue/green: `color`'s name and port). `region`: the group's (for SSM).
BootRelease boot_release(const config::Pipeline& p, const std::string& tag, const std::string& digest,
                         const std::string& color, const std::string& region);

/// The user data script (bash, run as root by cloud-init). Deterministic: the same release gives
/// the same bytes, so an unchanged release writes no new version.
std::string user_data(const BootRelease& r);

/// EC2 keeps at most this much user data (bytes before base64).
constexpr std::size_t kUserDataMax = 16384;

/// Before a deploy: the release's user data fits EC2's limit. A digest of full length is assumed
/// (the one the push will give is not known yet). Throws aws::Error saying by how much it is over
/// and what makes it large (the container's env, options and volumes are in it).
void check_user_data_size(const config::Pipeline& p, const std::string& tag, const std::string& color,
                          const std::string& region);

/// The first line of every user data hoist writes, to tell hoist's versions from a person's.
constexpr const char* kUserDataMarker = "# hoist launch: converge";

struct LaunchOptions {
    aws::ChainOptions chain;
    aws::QueryOptions query;
    int keep = 5;  ///< versions hoist wrote that are kept (the newest); older ones are deleted
};

/// The group's launch template, as the pre-flight found it.
struct LaunchTarget {
    std::string group, region;
    std::string template_id, template_name;
    std::string group_version;  ///< "$Latest" or "$Default"
    long long source_version = 0;  ///< what the group launches now
    std::string source_user_data;  ///< base64, of `source_version`
    std::vector<std::string> warnings;
};

/// Before a deploy changes anything: the group launches from a launch template at `$Latest` or
/// `$Default` (a launch configuration or a pinned version is refused, saying what to change), the
/// template's version can be read, and every SSM parameter named in `asg.ssm` exists. Throws
/// aws::Error with AWS's error in plain words.
LaunchTarget check_launch(const config::Pipeline& p, const LaunchOptions& options = {});

struct LaunchRecord {
    long long version = 0;  ///< the version the group launches now
    bool created = false;   ///< false: the group already launched this very release
    std::vector<long long> pruned;
    std::vector<std::string> warnings;  ///< versions EC2 would not delete
};

/// After a successful deploy: a new version from the one the group launches with the release's
/// user data (nothing when it already holds it), made the default when the group launches
/// `$Default`, then hoist's older versions beyond `keep` deleted (never the default, never a
/// version a person wrote). Throws aws::Error.
LaunchRecord record_launch(const LaunchTarget& target, const BootRelease& release, const LaunchOptions& options = {});

}  // namespace hoist::deploy
