// Reports are written through a temporary file and a rename. The temporary name used to be
// `<path>.tmp-<pid>`, opened following symlinks: a link planted there (a shared directory, a
// predictable pid) redirected the write to any file the user could write.
#include "report/report_files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {
std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

TEST(ReportFiles, APlantedSymlinkAtTheTemporaryNameIsNotFollowed) {
    char tmpl[] = "/tmp/hoist-report-test-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    std::string victim = dir + "/victim", report = dir + "/report.xml";
    { std::ofstream(victim) << "precious"; }
    fs::create_symlink(victim, report + ".tmp-" + std::to_string(::getpid()));
    hoist::report::write_file_atomically(report, "<testsuites/>");
    EXPECT_EQ(slurp(victim), "precious");
    EXPECT_FALSE(fs::is_symlink(report));
    EXPECT_EQ(slurp(report), "<testsuites/>");
    struct stat st {};
    ASSERT_EQ(::stat(report.c_str(), &st), 0);
    mode_t mask = ::umask(0);
    ::umask(mask);
    EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
    int left = 0;
    for (auto& e : fs::directory_iterator(dir)) left += e.path().filename().string().find(".tmp-") != std::string::npos;
    EXPECT_EQ(left, 1);  // only the planted link; no temporary file of ours stays behind
    fs::remove_all(dir);
}
