#include "common/error.h"
#include "search/trial_csv.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

#include <fstream>

namespace quantscope {
namespace {

std::string write(const test::TempDir& dir, const std::string& text)
{
    const std::string path = dir.file("trials.csv");
    std::ofstream(path) << text;
    return path;
}

std::string errorOf(const std::string& path)
{
    try {
        readTrialsCsv(path);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

TEST(TrialCsv, ReadsQuotedAndSpacedConfigsInAnyColumnOrder)
{
    test::TempDir dir;
    const std::string path = write(dir, "task,accuracy,config,extra\n0,71.5,\"8,4,2\",x\n2, 80.25 ,8 4 2,\"a,b\"\n");
    const auto trials = readTrialsCsv(path);
    ASSERT_EQ(trials.size(), 2u);
    EXPECT_EQ(trials[0].bits.toString(), "8,4,2");
    EXPECT_EQ(trials[1].bits, trials[0].bits);
    EXPECT_EQ(trials[1].task, 2);
    EXPECT_DOUBLE_EQ(trials[1].accuracy, 80.25);
    EXPECT_EQ(splitCsvLine("a,\"b,\"\"c\"\"\",d"), (std::vector<std::string>{"a", "b,\"c\"", "d"}));
}

TEST(TrialCsv, ErrorsNameTheFileAndLine)
{
    test::TempDir dir;
    EXPECT_EQ(errorOf(dir.file("absent.csv")), "cannot read trials file " + dir.file("absent.csv"));
    std::string path = write(dir, "config,accuracy\n\"8,8\",1\n");
    EXPECT_EQ(errorOf(path), path + ": the header has no 'task' column");
    path = write(dir, "config,task,accuracy\n\"8,8\",0,nan\n");
    EXPECT_EQ(errorOf(path), path + " line 2: accuracy is nan (NaN and infinities are rejected)");
    path = write(dir, "config,task,accuracy\n\"8,8\",0,90\n\"8,9\",0,90\n");
    EXPECT_EQ(errorOf(path), path + " line 3: entry 2 ('9'): bits must be 1..8 (or f for float)");
    path = write(dir, "config,task,accuracy\n\"8,8\",0,90\n\"8,8,8\",1,90\n");
    EXPECT_EQ(errorOf(path), path + " line 3: 3 layers, earlier rows have 2");
    path = write(dir, "config,task,accuracy\n\"8,8\",first,90\n");
    EXPECT_EQ(errorOf(path), path + " line 2: task 'first' is not a task index (0, 1, ...)");
    path = write(dir, "config,task,accuracy\n");
    EXPECT_EQ(errorOf(path), path + " has no trials");
}

} // namespace
} // namespace quantscope
