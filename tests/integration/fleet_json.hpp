#pragma once
// Which test fleet an integration test runs on: the fleet.json in $HOIST_FLEET_JSON, or, when ctest
// hands fleets out as resources (tests/run-all.sh runs the integration tests on two fleets at once,
// one test per fleet; see tests/run-all.sh), $HOIST_FLEET_JSON_<id> of the fleet
// ctest allocated to this test. Returns nullptr when neither is set.
#include <cstdlib>
#include <string>

namespace hoist::itest {

inline const char* fleet_json_path() {
    static const std::string path = [] {
        // CTEST_RESOURCE_GROUP_0_FLEETS=id:hit2,slots:1
        if (const char* g = std::getenv("CTEST_RESOURCE_GROUP_0_FLEETS")) {
            std::string s = g;
            auto a = s.find("id:");
            if (a != std::string::npos) {
                auto b = s.find(',', a);
                std::string id = s.substr(a + 3, b == std::string::npos ? std::string::npos : b - a - 3);
                if (const char* p = std::getenv(("HOIST_FLEET_JSON_" + id).c_str())) return std::string(p);
            }
        }
        const char* p = std::getenv("HOIST_FLEET_JSON");
        return std::string(p ? p : "");
    }();
    return path.empty() ? nullptr : path.c_str();
}

}  // namespace hoist::itest
