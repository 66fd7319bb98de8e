// hoist version: hoist's version and revision and the versions of the libraries it is linked with.
#include <archive.h>
#include <curl/curl.h>
#include <gnu/libc-version.h>
#include <libssh2.h>
#include <openssl/crypto.h>
#include <zlib.h>

#include <CLI/Version.hpp>
#include <nlohmann/json.hpp>

#include "context.hpp"
#include "hoist/git_revision.hpp"
#include "hoist/version_info.hpp"

namespace hoist::cli {

void register_version(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("version", "Print the version of hoist and of its libraries");
    cmd->callback([&ctx] {
        ctx.command = "version";
        ctx.run = [&ctx] {
            auto v = [](int a, int b, int c) {
                return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c);
            };
            nlohmann::json libs = {
                {"libcurl", curl_version_info(CURLVERSION_NOW)->version},
                {"libssh2", libssh2_version(0)},
                {"openssl", OpenSSL_version(OPENSSL_VERSION)},
                {"zlib", zlibVersion()},
                {"libarchive", archive_version_string()},
                {"yaml-cpp", HOIST_YAMLCPP_VERSION},
                {"nlohmann_json", v(NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH)},
                {"CLI11", CLI11_VERSION},
                // the C library it runs on: the system's (.deb) or the portable tarball's own
                {"glibc", gnu_get_libc_version()},
            };
            std::string text = std::string("hoist ") + HOIST_VERSION + " (" + HOIST_GIT_REVISION + ")\n";
            for (auto& [k, val] : libs.items()) text += "  " + k + " " + val.get<std::string>() + "\n";
            ctx.out->result(text);
            ctx.out->event("version", {{"version", HOIST_VERSION}, {"revision", HOIST_GIT_REVISION}, {"libraries", libs}});
            return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "version"}});
        };
    });
}

}  // namespace hoist::cli
