#pragma once
/// EC2 launch templates (Query protocol, 2016-11-15), the calls `launch: converge` makes: the
/// versions of a template, a new version from a source version with new user data, the default
/// version, and deleting old versions.
#include <string>
#include <utility>
#include <vector>

#include "aws/query.hpp"

namespace hoist::aws {

struct TemplateVersion {
    std::string template_id, template_name;
    long long number = 0;
    std::string description;
    bool is_default = false;
    std::string user_data;  ///< base64, as EC2 keeps it ("" when the version has none)
};

/// LaunchTemplateId, SourceVersion, VersionDescription and LaunchTemplateData.UserData (base64).
Params create_version_params(const std::string& template_id, const std::string& source_version,
                             const std::string& description, const std::string& user_data_base64);
/// The version a CreateLaunchTemplateVersion answer describes.
TemplateVersion read_created_version(const XmlElement& doc);
TemplateVersion create_template_version(QueryClient& ec2, const std::string& template_id,
                                        const std::string& source_version, const std::string& description,
                                        const std::string& user_data_base64);

/// LaunchTemplateId, LaunchTemplateVersion.N (numbers, "$Latest", "$Default"; none: every version),
/// MaxResults and NextToken.
Params describe_versions_params(const std::string& template_id, const std::vector<std::string>& versions,
                                int max_results, const std::string& next_token);
/// The versions of one answer page, and its nextToken ("" on the last page).
std::vector<TemplateVersion> read_versions(const XmlElement& doc, std::string& next_token);
/// Every version asked for, following nextToken (at most `max_pages`).
std::vector<TemplateVersion> describe_template_versions(QueryClient& ec2, const std::string& template_id,
                                                        const std::vector<std::string>& versions = {},
                                                        int page_size = 200, int max_pages = 100);

/// ModifyLaunchTemplate SetDefaultVersion.
void set_default_version(QueryClient& ec2, const std::string& template_id, long long number);

struct DeletedVersions {
    std::vector<long long> deleted;
    std::vector<std::pair<long long, std::string>> failed;  ///< version, "code: message"
};
Params delete_versions_params(const std::string& template_id, const std::vector<long long>& numbers);
DeletedVersions read_deleted_versions(const XmlElement& doc);
/// DeleteLaunchTemplateVersions, at most 200 a call (AWS's limit); a version EC2 would not delete
/// is in `failed`, not an exception.
DeletedVersions delete_template_versions(QueryClient& ec2, const std::string& template_id,
                                         const std::vector<long long>& numbers);

}  // namespace hoist::aws
