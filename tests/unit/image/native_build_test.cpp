#include "image/native_builder.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "build_fixture.hpp"
#include "util/error.hpp"

using namespace hoist;
using hoist::test::TempDir;
using hoist::test::write_file;

namespace {

const char* three_layers =
    "FROM scratch\nCOPY base /base\nCOPY mid /mid\nCOPY top /top\nCMD [\"/top/x\"]\n";

void make_context(const std::string& dir) {
    write_file(dir + "/base/a", "base file a\n");
    write_file(dir + "/base/b", std::string(300000, 'b'));
    write_file(dir + "/mid/m", "middle\n");
    write_file(dir + "/top/x", "#!/bin/sh\necho top\n", std::filesystem::perms(0755));
}

std::vector<std::string> layer_digests(const std::string& store_dir, const image::BuildResult& r) {
    oci::ImageStore store(store_dir);
    auto m = oci::parse_manifest(store.read_blob(r.manifest.digest), "test");
    std::vector<std::string> out;
    for (auto& l : m.layers) out.push_back(l.digest.str());
    return out;
}

std::string error_of(const std::string& dockerfile) {
    TempDir ctx, store;
    write_file(ctx.path() + "/f", "x");
    try {
        test::build_in(ctx.path(), store.path(), dockerfile);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::build_push);
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(NativeBuild, SameInputsSameDigestsInAnyStore) {
    TempDir ctx1, ctx2, s1, s2;
    make_context(ctx1.path());
    make_context(ctx2.path());
    auto a = test::build_in(ctx1.path(), s1.path(), three_layers);
    auto b = test::build_in(ctx2.path(), s2.path(), three_layers);
    EXPECT_EQ(a.manifest.digest, b.manifest.digest);
    EXPECT_EQ(a.layers_built, 3);
    EXPECT_EQ(b.layers_built, 3);
}

TEST(NativeBuild, UnchangedRebuildIsFullyCached) {
    TempDir ctx, s;
    make_context(ctx.path());
    auto a = test::build_in(ctx.path(), s.path(), three_layers);
    auto b = test::build_in(ctx.path(), s.path(), three_layers);
    EXPECT_EQ(a.manifest.digest, b.manifest.digest);
    EXPECT_EQ(b.layers_cached, 3);
    EXPECT_EQ(b.layers_built, 0);
}

TEST(NativeBuild, TouchedButIdenticalFileStillHits) {
    TempDir ctx, s;
    make_context(ctx.path());
    auto a = test::build_in(ctx.path(), s.path(), three_layers);
    write_file(ctx.path() + "/mid/m", "middle\n");  // same bytes, new mtime
    auto b = test::build_in(ctx.path(), s.path(), three_layers);
    EXPECT_EQ(a.manifest.digest, b.manifest.digest);
    EXPECT_EQ(b.layers_built, 0);
}

TEST(NativeBuild, ChangingOneFileRebuildsOnlyItsLayer) {
    TempDir ctx, s;
    make_context(ctx.path());
    auto a = test::build_in(ctx.path(), s.path(), three_layers);
    write_file(ctx.path() + "/mid/m", "middle changed\n");
    auto b = test::build_in(ctx.path(), s.path(), three_layers);
    EXPECT_EQ(b.layers_built, 1);
    EXPECT_EQ(b.layers_cached, 2);
    auto la = layer_digests(s.path(), a), lb = layer_digests(s.path(), b);
    ASSERT_EQ(la.size(), 3u);
    ASSERT_EQ(lb.size(), 3u);
    EXPECT_EQ(la[0], lb[0]);
    EXPECT_NE(la[1], lb[1]);
    EXPECT_EQ(la[2], lb[2]);
}

TEST(NativeBuild, ConfigFieldsAndHistory) {
    TempDir ctx, s;
    make_context(ctx.path());
    auto r = test::build_in(ctx.path(), s.path(),
                            "ARG BASE=scratch\nFROM $BASE\nARG V=1\nENV A=$V B=\"x y\"\nENV C ${A:+set} $B\n"
                            "WORKDIR app\nCOPY top ./\nENTRYPOINT [\"/app/x\"]\nEXPOSE 80 53/udp\nUSER 1000:1000\n",
                            {{"V", "2"}});
    oci::ImageStore store(s.path());
    auto m = oci::parse_manifest(store.read_blob(r.manifest.digest), "t");
    auto c = nlohmann::json::parse(store.read_blob(m.config.digest));
    auto& run = c["config"];
    EXPECT_EQ(run["Env"], nlohmann::json({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=2",
                                          "B=x y", "C=set x y"}));
    EXPECT_EQ(run["WorkingDir"], "/app");
    EXPECT_EQ(run["Entrypoint"], nlohmann::json({"/app/x"}));
    EXPECT_TRUE(run["Cmd"].is_null());
    EXPECT_EQ(run["ExposedPorts"], nlohmann::json({{"80/tcp", nlohmann::json::object()}, {"53/udp", nlohmann::json::object()}}));
    EXPECT_EQ(run["User"], "1000:1000");
    EXPECT_EQ(c["created"], "1970-01-01T00:00:00Z");
    ASSERT_EQ(c["history"].size(), 8u);  // every instruction after FROM
    EXPECT_EQ(c["history"][0]["created_by"], "ARG V=1");
    EXPECT_EQ(c["history"][0]["empty_layer"], true);
    EXPECT_FALSE(c["history"][4].contains("empty_layer"));  // COPY
    EXPECT_EQ(c["rootfs"]["diff_ids"].size(), 2u);          // WORKDIR app + COPY
}

TEST(NativeBuild, UnsupportedInstructionsAreLocatedErrors) {
    EXPECT_EQ(error_of("FROM scratch\n\nRUN echo hi\n"), "Dockerfile:3: RUN needs a container; use `builder: docker`");
    EXPECT_EQ(error_of("FROM scratch\nCOPY --from=build /x /x\n"),
              "Dockerfile:2: COPY --from (multi-stage builds) is not supported by the native builder; use `builder: docker`");
    EXPECT_EQ(error_of("FROM scratch AS a\nFROM scratch\n"),
              "Dockerfile:2: multi-stage builds (a second FROM) are not supported by the native builder; use `builder: docker`");
    EXPECT_EQ(error_of("FROM scratch\nADD https://example.com/x /x\n"),
              "Dockerfile:2: ADD from a URL or git repository (https://example.com/x) is not supported by the native "
              "builder; use `builder: docker` or download it into the context");
    EXPECT_EQ(error_of("FROM scratch\nFOO bar\n"), "Dockerfile:2: unknown instruction: FOO");
    EXPECT_EQ(error_of("COPY f /f\n"), "Dockerfile:1: only ARG may come before the first FROM");
    EXPECT_EQ(error_of("FROM scratch\nCOPY --chown=app f /f\n"),
              "Dockerfile:2: --chown=app: user 'app' cannot be looked up: the image has no /etc/passwd; use a numeric id");
    EXPECT_EQ(error_of("FROM scratch\nCOPY missing /m\n"),
              "Dockerfile:2: COPY: missing: not found in the build context or excluded by .dockerignore");
    EXPECT_EQ(error_of("FROM scratch\nCOPY f f /d\n"),
              "Dockerfile:2: COPY: when copying more than one source the destination must be a directory and end with a /");
    EXPECT_EQ(error_of("FROM scratch\nCOPY ../x /d/\n"), "Dockerfile:2: COPY: forbidden path outside the build context: ../x");
    EXPECT_EQ(error_of("FROM scratch\nSTOPSIGNAL SIGNOPE\n"), "Dockerfile:2: STOPSIGNAL: invalid signal 'SIGNOPE'");
    EXPECT_EQ(error_of("FROM scratch\nENV A=${B\n"), "Dockerfile:2: ENV: syntax error: missing '}'");
    EXPECT_EQ(error_of("FROM scratch\nLABEL --x=1 a=b\n"), "Dockerfile:2: LABEL: unknown flag --x");
    EXPECT_EQ(error_of("FROM scratch\nCOPY --from=x --keep-git-dir f /f\n"),
              "Dockerfile:2: COPY --from (multi-stage builds) is not supported by the native builder; use `builder: docker`");
    EXPECT_EQ(error_of("FROM scratch\nADD --checksum=sha256:abc f /f\n"),
              "Dockerfile:2: ADD: unsupported flag --checksum for the native builder; use `builder: docker`");
    EXPECT_EQ(error_of("FROM scratch\nCOPY --chmod=u+x f /f\n"),
              "Dockerfile:2: --chmod=u+x: only octal modes (e.g. 755) are supported");
}

TEST(NativeBuild, ChownNameFromCopiedPasswd) {
    TempDir ctx, s;
    write_file(ctx.path() + "/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1001:1002::/app:/bin/sh\n");
    write_file(ctx.path() + "/group", "root:x:0:\napp:x:1003:\n");
    write_file(ctx.path() + "/f", "x");
    EXPECT_NO_THROW(test::build_in(ctx.path(), s.path(),
                                   "FROM scratch\nCOPY passwd group /etc/\nCOPY --chown=app f /f\nCOPY --chown=app:0 f /g\n"));
}

TEST(NativeBuild, DockerignoreExcludesFromCopy) {
    TempDir ctx, s;
    write_file(ctx.path() + "/app/keep.txt", "k");
    write_file(ctx.path() + "/app/drop.log", "d");
    write_file(ctx.path() + "/.dockerignore", "**/*.log\n");
    auto a = test::build_in(ctx.path(), s.path(), "FROM scratch\nCOPY app /app\n");
    write_file(ctx.path() + "/app/drop.log", "changed");  // excluded: must not change the image
    auto b = test::build_in(ctx.path(), s.path(), "FROM scratch\nCOPY app /app\n");
    EXPECT_EQ(a.manifest.digest, b.manifest.digest);
}
