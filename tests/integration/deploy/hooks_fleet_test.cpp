// Hooks on the real fleet: pre_deploy runs before any host changes and post_deploy after the
// rollout, in the pipeline's directory with HOIST_* set; a hook's lines are shown while it runs; a
// failing post_deploy is a warning (the deploy is done), a failing pre_deploy stops the deploy
// with exit 1 and a failing pre_build with exit 5, nothing changed. (tests/unit/deploy/hooks_test.cpp: what
// is logged.)
#include "corner_fixture.hpp"

namespace hoist::dtest {

using corner::eventually;

TEST_F(CornerTest, HooksRunInOrderStreamTheirOutputAndAFailureStopsTheDeploy) {
    corner_pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    std::string url = nginx_url();
    // the first hook waits (at most 20 s) for a file the test writes only once it has seen the
    // hook's first line: a hoist that shows a hook's output when the hook ends fails here
    corner_pipeline(
        "hooks:\n"
        "  pre_deploy:\n"
        "    - 'echo hook-started; i=0; while [ ! -f release ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); "
        "done; "
        "echo hook-released'\n"
        "    - 'curl -s -m 3 " +
        url +
        "/version > pre-saw.txt; echo \"$HOIST_SERVICE $HOIST_TAG $HOIST_HOSTS\" > pre-env.txt'\n"
        "  post_deploy:\n"
        "    - 'curl -s -m 3 " +
        url +
        "/version > post-saw.txt'\n"
        "    - 'echo post-hook-says-no >&2; exit 3'\n");
    auto bg = hoist_bg({"-o", "json", "deploy", "--tag", "v2"}, "hooks");
    const std::string out_file = m_dir + "/hooks.out", err_file = m_dir + "/hooks.err";
    auto output = [&] { return read(out_file) + read(err_file); };
    bool started = eventually([&] { return output().find("| hook-started") != std::string::npos; },
                              std::chrono::seconds(20));
    std::string seen = output();
    std::ofstream(m_dir + "/release") << "";
    EXPECT_TRUE(started) << "the hook's first line was not shown while the hook ran: " << seen;
    EXPECT_EQ(seen.find("| hook-released"), std::string::npos) << "the hook was still waiting: " << seen;
    int code = bg->wait(std::chrono::seconds(60));
    std::string out = read(out_file), err = read(err_file);
    ASSERT_EQ(code, 0) << out << err;
    EXPECT_NE(err.find("| hook-released"), std::string::npos) << err;
    EXPECT_EQ(trim(read(m_dir + "/pre-saw.txt")), "v1") << "pre_deploy ran before any host changed";
    EXPECT_EQ(trim(read(m_dir + "/post-saw.txt")), "v2") << "post_deploy ran after the rollout";
    std::string env = read(m_dir + "/pre-env.txt");
    EXPECT_NE(env.find("app v2 "), std::string::npos) << env;
    for (const auto& h : m_hosts) EXPECT_NE(env.find(h), std::string::npos) << env;
    EXPECT_NE(err.find("| post-hook-says-no"), std::string::npos) << err;
    EXPECT_NE(err.find("warning: hook post_deploy 'echo post-hook-says-no >&2; exit 3' exited with 3; the "
                       "deploy itself succeeded"),
              std::string::npos)
        << err;
    bool post_event = false;
    for (const auto& line : split(out, '\n')) {
        auto ev = nlohmann::json::parse(line, nullptr, false);
        if (ev.is_object() && ev.value("event", "") == "hook" && ev.value("phase", "") == "post_deploy" &&
            ev.value("exit_code", 0) == 3)
            post_event = true;
    }
    EXPECT_TRUE(post_event) << out;
    HoistRun done{code, out, err};
    EXPECT_EQ(done.summary()["result"], "succeeded");
    expect_every_host_serves("v2", "after the deploy with hooks");

    // a failing pre_deploy: exit 1, the hook named, no host changed
    corner_pipeline("hooks: { pre_deploy: ['echo checking; exit 7'] }\n");
    std::string before = snapshot();
    auto r = hoist({"deploy", "--tag", "v1"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("hook pre_deploy 'echo checking; exit 7' exited with 7; nothing was changed"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("| checking"), std::string::npos) << "the hook's output is shown: " << r.err;
    EXPECT_EQ(snapshot(), before) << "a failed pre_deploy hook changed the fleet";
    expect_every_host_serves("v2", "after the failed pre_deploy");

    // a failing pre_build is part of the build: exit 5, nothing built, pushed or changed
    std::ofstream(m_dir + "/Dockerfile")
        << "FROM " << m_fleet["images"]["base"].get<std::string>() << "\nCOPY hoist.yml /\n";
    corner_pipeline(
        "build: { context: ., builder: native }\nhooks: { pre_build: ['echo linting; exit 4'] }\n");
    auto b = hoist({"deploy", "--tag", "v9"});
    EXPECT_EQ(b.exit_code, 5) << b.err;
    EXPECT_NE(b.err.find("hook pre_build 'echo linting; exit 4' exited with 4"), std::string::npos) << b.err;
    EXPECT_NE(b.err.find("| linting"), std::string::npos) << b.err;
    EXPECT_EQ(snapshot(), before) << "a failed pre_build hook changed the fleet";
    auto tags = run_process({"skopeo", "list-tags", "--tls-verify=false", "docker://" + m_image});
    EXPECT_EQ(tags.out.find("\"v9\""), std::string::npos) << "nothing pushed: " << tags.out;
}

}  // namespace hoist::dtest
