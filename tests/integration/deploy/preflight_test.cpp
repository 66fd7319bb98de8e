// The pre-flight on the real fleet: a host whose running version's image tag is gone could not
// roll back without the registry, so the deploy is refused (exit 1), the host and the reason are
// named, and nothing changes.
#include "corner_fixture.hpp"

namespace hoist::dtest {

TEST_F(CornerTest, PreflightRefusesAHostWithoutItsRollbackImageAndChangesNothing) {
    corner_pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    // untag the running version's image on h2 (another tag keeps the layers, as a manual cleanup
    // might; the running container keeps them anyway, so `docker ps` shows the image's ID)
    docker(1, "tag " + m_image + ":v1 " + m_image + ":kept-by-someone");
    docker(1, "rmi " + m_image + ":v1");
    ASSERT_EQ(tags(1), (std::set<std::string>{"kept-by-someone"}));
    std::string before_pool = join(pool(), ",");
    auto r = hoist({"-o", "json", "deploy", "--tag", "v2"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(m_hosts[1]), std::string::npos) << r.err;
    EXPECT_NE(
        r.err.find("the image of the running version is missing, so a rollback would need the registry"),
        std::string::npos)
        << r.err;
    EXPECT_EQ(r.summary()["exit_code"], 1) << r.out;
    for (std::size_t i = 0; i < m_hosts.size(); ++i)
        EXPECT_EQ(containers(i), (std::set<std::string>{"app-v1:running"}))
            << "nothing changed on " << m_hosts[i];
    EXPECT_EQ(join(pool(), ","), before_pool);
    expect_every_host_serves("v1", "after the refused deploy");
    EXPECT_FALSE(lock_held());
    docker(1, "rmi " + m_image + ":kept-by-someone");
}

}  // namespace hoist::dtest
