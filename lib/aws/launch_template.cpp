#include "aws/launch_template.hpp"

#include <algorithm>

#include "aws/error.hpp"

namespace hoist::aws {

namespace {

long long number_of(const std::string& text, const char* what) {
    if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw Error("", std::string("ec2 ") + what + ": the answer has no version number (got '" + text + "')");
    return std::stoll(text);
}

TemplateVersion version_of(const XmlElement& v, const char* what) {
    TemplateVersion t;
    t.template_id = v.text_at("launchTemplateId");
    t.template_name = v.text_at("launchTemplateName");
    t.number = number_of(v.text_at("versionNumber"), what);
    t.description = v.text_at("versionDescription");
    t.is_default = v.text_at("defaultVersion") == "true";
    t.user_data = v.text_at("launchTemplateData/userData");
    return t;
}

}  // namespace

Params create_version_params(const std::string& template_id, const std::string& source_version,
                             const std::string& description, const std::string& user_data_base64) {
    Params p{{"LaunchTemplateId", template_id}};
    if (!source_version.empty()) p.emplace_back("SourceVersion", source_version);
    p.emplace_back("VersionDescription", description);
    p.emplace_back("LaunchTemplateData.UserData", user_data_base64);
    return p;
}

TemplateVersion read_created_version(const XmlElement& doc) {
    const XmlElement* v = doc.child("launchTemplateVersion");
    if (!v) throw Error("", "ec2 CreateLaunchTemplateVersion: the answer has no launchTemplateVersion");
    return version_of(*v, "CreateLaunchTemplateVersion");
}

TemplateVersion create_template_version(QueryClient& ec2, const std::string& template_id,
                                        const std::string& source_version, const std::string& description,
                                        const std::string& user_data_base64) {
    return read_created_version(ec2.call(
        "CreateLaunchTemplateVersion", create_version_params(template_id, source_version, description, user_data_base64)));
}

Params describe_versions_params(const std::string& template_id, const std::vector<std::string>& versions,
                                int max_results, const std::string& next_token) {
    Params p{{"LaunchTemplateId", template_id}};
    for (std::size_t i = 0; i < versions.size(); ++i)
        p.emplace_back("LaunchTemplateVersion." + std::to_string(i + 1), versions[i]);
    if (max_results > 0) p.emplace_back("MaxResults", std::to_string(max_results));
    if (!next_token.empty()) p.emplace_back("NextToken", next_token);
    return p;
}

std::vector<TemplateVersion> read_versions(const XmlElement& doc, std::string& next_token) {
    next_token = doc.text_at("nextToken");
    std::vector<TemplateVersion> out;
    if (const XmlElement* set = doc.child("launchTemplateVersionSet"))
        for (const auto* v : set->children_named("item")) out.push_back(version_of(*v, "DescribeLaunchTemplateVersions"));
    return out;
}

std::vector<TemplateVersion> describe_template_versions(QueryClient& ec2, const std::string& template_id,
                                                        const std::vector<std::string>& versions, int page_size,
                                                        int max_pages) {
    std::vector<TemplateVersion> all;
    std::string token;
    for (int page = 0; page < max_pages; ++page) {
        auto got = read_versions(ec2.call("DescribeLaunchTemplateVersions",
                                          describe_versions_params(template_id, versions, page_size, token)),
                                 token);
        all.insert(all.end(), got.begin(), got.end());
        if (token.empty()) return all;
    }
    throw Error("", "ec2 DescribeLaunchTemplateVersions at " + ec2.endpoint() + " still had a nextToken after " +
                        std::to_string(max_pages) + " pages");
}

void set_default_version(QueryClient& ec2, const std::string& template_id, long long number) {
    ec2.call("ModifyLaunchTemplate", {{"LaunchTemplateId", template_id}, {"SetDefaultVersion", std::to_string(number)}});
}

Params delete_versions_params(const std::string& template_id, const std::vector<long long>& numbers) {
    Params p{{"LaunchTemplateId", template_id}};
    for (std::size_t i = 0; i < numbers.size(); ++i)
        p.emplace_back("LaunchTemplateVersion." + std::to_string(i + 1), std::to_string(numbers[i]));
    return p;
}

DeletedVersions read_deleted_versions(const XmlElement& doc) {
    DeletedVersions out;
    if (const XmlElement* ok = doc.child("successfullyDeletedLaunchTemplateVersionSet"))
        for (const auto* v : ok->children_named("item"))
            out.deleted.push_back(number_of(v->text_at("versionNumber"), "DeleteLaunchTemplateVersions"));
    if (const XmlElement* bad = doc.child("unsuccessfullyDeletedLaunchTemplateVersionSet"))
        for (const auto* v : bad->children_named("item"))
            out.failed.emplace_back(number_of(v->text_at("versionNumber"), "DeleteLaunchTemplateVersions"),
                                    v->text_at("responseError/code") + ": " + v->text_at("responseError/message"));
    return out;
}

DeletedVersions delete_template_versions(QueryClient& ec2, const std::string& template_id,
                                         const std::vector<long long>& numbers) {
    DeletedVersions all;
    for (std::size_t at = 0; at < numbers.size(); at += 200) {
        std::vector<long long> part(numbers.begin() + static_cast<std::ptrdiff_t>(at),
                                    numbers.begin() + static_cast<std::ptrdiff_t>(std::min(numbers.size(), at + 200)));
        auto got = read_deleted_versions(ec2.call("DeleteLaunchTemplateVersions", delete_versions_params(template_id, part)));
        all.deleted.insert(all.deleted.end(), got.deleted.begin(), got.deleted.end());
        all.failed.insert(all.failed.end(), got.failed.begin(), got.failed.end());
    }
    return all;
}

}  // namespace hoist::aws
