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

TEST(TrialCsv, ReadsStepsAndSkipsTrialsNotDone)
{
    // A study's trials-csv export: queued and failed trials have no accuracy.
    test::TempDir dir;
    const std::string path =
        write(dir,
              "trial,config,task,task_name,steps,status,accuracy\n1,\"8,8\",0,quantize only,0,done,91.5\n"
              "2,\"8,4\",1,50 steps,50,failed,\n3,\"8,4\",1,50 steps,50,queued,\n4,\"4,4\",1,50 steps,50,done,90\n");
    const auto trials = readTrialsCsv(path);
    ASSERT_EQ(trials.size(), 2u);
    EXPECT_EQ(trials[0].steps, 0);
    EXPECT_EQ(trials[1].bits.toString(), "4,4");
    EXPECT_EQ(trials[1].steps, 50);
    EXPECT_FALSE(readTrialsCsv(write(dir, "config,task,accuracy\n\"8,8\",0,90\n")).front().steps.has_value());
    EXPECT_EQ(errorOf(write(dir, "config,task,accuracy,steps\n\"8,8\",0,90,-5\n")),
              dir.file("trials.csv") + " line 2: steps '-5' is not a number of fine-tuning steps (0, 50, ...)");
    EXPECT_EQ(errorOf(write(dir, "config,task,accuracy,status\n\"8,8\",0,,failed\n")),
              dir.file("trials.csv") + " has no trials with status done");
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
