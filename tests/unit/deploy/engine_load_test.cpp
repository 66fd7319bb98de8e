// registry.direct through the Docker Engine API (deploy/direct.hpp): where the host's look says
// the Engine listens, what dockerd's answers to POST /images/load mean, the tag request's path.
// The load itself runs against real dockerd on the fleet (tests/integration/deploy/direct_test.cpp).
#include <gtest/gtest.h>

#include "deploy/direct.hpp"
#include "deploy/observe.hpp"
#include "remote/docker.hpp"
#include "deploy/engine_api.hpp"

namespace hoist::deploy {
namespace {

const std::string kHex = std::string(64, 'c');

std::string answer(const std::string& status, const std::string& body) {
    return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

TEST(EngineLoad, TheLookNamesTheEngineSocketForDockerOnly) {
    EXPECT_NE(remote::image_layer_lists("docker").render().find("engine %s"), std::string::npos);
    EXPECT_NE(remote::image_layer_lists("docker").render().find("unix:///var/run/docker.sock"), std::string::npos);
    EXPECT_EQ(remote::image_layer_lists("podman").render().find("engine"), std::string::npos);
    auto h = parse_layer_lists("engine unix:///run/user/1001/docker.sock\nsha256:aa [\"sha256:1\"]\n");
    EXPECT_EQ(h.engine_socket, "/run/user/1001/docker.sock");
    ASSERT_EQ(h.ids.size(), 1u) << "the engine line is not an image";
    // the host's answer is untrusted: only an absolute unix socket path is used
    EXPECT_EQ(parse_layer_lists("engine tcp://10.0.0.1:2375\n").engine_socket, "");
    EXPECT_EQ(parse_layer_lists("engine unix://relative.sock\n").engine_socket, "");
    EXPECT_EQ(parse_layer_lists("engine unix:///a b\n").engine_socket, "");
    EXPECT_EQ(parse_layer_lists("engine \n").engine_socket, "");
}

TEST(EngineLoad, DockerdsAnswersMeanLoadedOrWhyNot) {
    EXPECT_EQ(engine_load_error(answer("200 OK", "{\"stream\":\"Loaded image ID: sha256:" + kHex + "\\n\"}\n"), kHex), "");
    // its errors come as a message in a 200 stream, or as an HTTP error
    EXPECT_EQ(engine_load_error(answer("200 OK", "{\"errorDetail\":{\"message\":\"unexpected EOF\"},\"error\":\"unexpected "
                                                 "EOF\"}\n"),
                                kHex),
              "unexpected EOF");
    EXPECT_EQ(engine_load_error(answer("500 Internal Server Error", "{\"message\":\"no space left on device\"}"), kHex),
              "no space left on device");
    // another image than the one sent (a host that lies, or a broken store): refused, not tagged
    auto other = engine_load_error(answer("200 OK", "{\"stream\":\"Loaded image ID: sha256:" + std::string(64, 'd') + "\\n\"}"),
                                   kHex);
    EXPECT_NE(other.find("not the image sent (sha256:" + kHex + ")"), std::string::npos) << other;
    EXPECT_EQ(engine_load_error(answer("200 OK", "{\"errorDetail\":\"just words\"}\n"), kHex), "just words");
    EXPECT_EQ(engine_load_error(answer("200 OK", "{\"errorDetail\":[42]}\n"), kHex),
              "the Docker Engine refused the load: [42]");
    EXPECT_NE(engine_load_error("garbage", kHex).find("no answer from the Docker Engine"), std::string::npos);
    EXPECT_NE(engine_load_error(answer("200 OK", ""), kHex).find("not the image sent"), std::string::npos);
    // chunked, as dockerd streams it
    std::string body = "{\"stream\":\"Loaded image ID: sha256:" + kHex + "\\n\"}\n";
    char size[16];
    std::snprintf(size, sizeof size, "%zx", body.size());
    EXPECT_EQ(engine_load_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(size) + "\r\n" + body +
                                    "\r\n0\r\n\r\n",
                                kHex),
              "");
}

TEST(EngineLoad, TheTagPathSplitsRepositoryAndTag) {
    EXPECT_EQ(engine_tag_path(kHex, "acme/web:v2"), "/images/sha256:" + kHex + "/tag?repo=acme%2Fweb&tag=v2");
    EXPECT_EQ(engine_tag_path(kHex, "10.0.0.1:5000/acme/web:v2"),
              "/images/sha256:" + kHex + "/tag?repo=10.0.0.1%3A5000%2Facme%2Fweb&tag=v2");
    EXPECT_EQ(engine_tag_path(kHex, "10.0.0.1:5000/acme/web"),
              "/images/sha256:" + kHex + "/tag?repo=10.0.0.1%3A5000%2Facme%2Fweb&tag=latest");
    EXPECT_EQ(engine_tag_path(kHex, "web:1.0&x=y"), "/images/sha256:" + kHex + "/tag?repo=web&tag=1.0%26x%3Dy");
}

}  // namespace
}  // namespace hoist::deploy
