// What `<runtime> ps --all --format '{{json .}}'` prints, as docker and podman print it.
#include <gtest/gtest.h>

#include "deploy/history.hpp"
#include "deploy/lock.hpp"
#include "deploy/state.hpp"

using namespace hoist;

TEST(ContainerList, DockerPrintsOneObjectALine) {
    auto list = deploy::parse_container_list(
        R"({"Names":"app-v1","State":"exited","Image":"r/app:v1","CreatedAt":"2026-12-04 09:00:00 +0000 UTC","Labels":"hoist.service=app,hoist.version=v1,hoist.port=8080"})"
        "\n"
        R"({"Names":"app-v2","State":"running","Image":"r/app:v2","CreatedAt":"2026-12-04 09:05:00 +0000 UTC","Labels":"hoist.service=app,hoist.version=v2,hoist.port=8080"})"
        "\n");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[1].name, "app-v2");
    EXPECT_EQ(list[1].version, "v2");
    EXPECT_EQ(list[1].port, 8080);
    EXPECT_GT(list[1].created, list[0].created);
}

// podman 4 prints one indented array, CreatedAt relative ("Less than a second ago") and Created
// as the Unix time: read as docker's form, so that the newer container sorts after the older.
TEST(ContainerList, PodmanPrintsOneIndentedArrayWithUnixTimes) {
    auto list = deploy::parse_container_list(R"([
  {
    "Names": [
      "app-v1"
    ],
    "State": "exited",
    "Image": "r/app:v1",
    "Labels": { "hoist.service": "app", "hoist.version": "v1", "hoist.port": "8080" },
    "CreatedAt": "9 minutes ago",
    "Created": 1796372768
  },
  {
    "Names": [ "app-v2" ],
    "State": "running",
    "Image": "r/app:v2",
    "Labels": { "hoist.service": "app", "hoist.version": "v2", "hoist.port": "8080" },
    "CreatedAt": "Less than a second ago",
    "Created": 1796373308
  }
]
)");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].name, "app-v1");
    EXPECT_EQ(list[0].state, "exited");
    EXPECT_EQ(list[1].version, "v2");
    EXPECT_EQ(list[1].port, 8080);
    EXPECT_EQ(list[0].created, "2026-12-04 08:26:08 +0000 UTC");
    EXPECT_GT(list[1].created, list[0].created);
}

// A host's answers are untrusted: a field of the wrong type is treated as absent, never a json
// exception that would end the command as an internal error.
TEST(ContainerList, FieldsOfTheWrongTypeAreTreatedAsAbsent) {
    auto list = hoist::deploy::parse_container_list(
        R"({"Labels":"hoist.service=app,hoist.version=v1","Names":["app-v1"],"State":5,"Image":[1],"CreatedAt":{},"Created":"x"})"
        "\n"
        R"({"Labels":"hoist.service=app","Names":7})"
        "\n"
        R"({"Labels":{"hoist.service":"app","hoist.version":["v2"],"hoist.port":"80x"},"Names":["app-v2"],"State":"running"})");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].state, "");
    EXPECT_EQ(list[0].image, "");
    EXPECT_EQ(list[1].name, "app-v2");
    EXPECT_EQ(list[1].state, "running");
    EXPECT_EQ(list[1].port, 0);
    auto foreign = hoist::deploy::parse_unlabelled_containers(
        R"({"Names":"old","State":2,"Image":3,"Ports":[{"host_port":"x"},{"host_port":8080,"range":"y"}]})");
    ASSERT_EQ(foreign.size(), 1u);
    EXPECT_EQ(foreign[0].state, "");
    auto history = hoist::deploy::parse_history(R"({"time":1,"event":"deploy","tag":["v1"],"role":5,"result":null})");
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].tag, "");
    auto lock = hoist::deploy::LockInfo::from_json(nlohmann::json::parse(R"({"id":1,"pid":"12","user":[]})"));
    EXPECT_EQ(lock.id, "");
    EXPECT_EQ(lock.pid, 0);
}
