// `hoist plan` against the real fleet: it prints the steps of a deploy and changes nothing
// anywhere: not a container, image, volume or file on a host, not the LB's upstream file, nginx's
// workers or HAProxy's servers. (tests/unit/cli/cli_test.cpp checks the output offline.)
#include "corner_fixture.hpp"

namespace hoist::dtest {

TEST_F(CornerTest, PlanPrintsStepsAndTouchesNothing) {
    corner_pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    std::string before = snapshot();
    // the snapshot sees a change of the smallest kind (a tag added to an image on one host)
    docker(1, "tag " + m_image + ":v1 " + m_image + ":plan-probe");
    EXPECT_NE(snapshot(), before) << "the snapshot does not see an image tagged on a host";
    docker(1, "rmi " + m_image + ":plan-probe");
    ASSERT_EQ(snapshot(), before);

    auto r = hoist({"plan", "--tag", "v2"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const auto& h : m_hosts)
        EXPECT_NE(r.out.find(h), std::string::npos) << h << " has steps:\n" << r.out;
    EXPECT_NE(r.out.find("app-v2"), std::string::npos) << r.out;
    auto j = hoist({"-o", "json", "plan", "--tag", "v2"});
    EXPECT_EQ(j.exit_code, 0) << j.err;
    EXPECT_EQ(j.summary()["tag"], "v2");
    EXPECT_EQ(snapshot(), before) << "hoist plan changed something on the fleet";
    expect_every_host_serves("v1", "after plan");
}

}  // namespace hoist::dtest
