#include "common/error.h"
#include "study/command_trial_evaluator.h"
#include "study/evaluator_protocol.h"
#include "study/process_identity.h"
#include "study/study_errors.h"
#include "study/study_results.h"
#include "study/study_runner.h"
#include "study/study_store.h"
#include "search/synthetic_problem.h"
#include "study/synthetic_trial_evaluator.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

extern char** environ;

namespace quantscope {
namespace {

StudySpec syntheticSpec(int budget)
{
    StudySpec spec = StudySpec::synthetic();
    spec.name = "synthetic";
    spec.budgetTrials = budget;
    return spec;
}

std::set<std::pair<std::string, int>> donePairs(const std::vector<TrialRow>& trials, int* done = nullptr)
{
    std::set<std::pair<std::string, int>> pairs;
    int count = 0;
    for (const TrialRow& t : trials)
        if (t.status == TrialStatus::Done) {
            pairs.insert({t.bits.toString(), t.task});
            ++count;
        }
    if (done)
        *done = count;
    return pairs;
}

TEST(StudySpec, JsonRoundTripAndValidation)
{
    StudySpec spec = syntheticSpec(7);
    spec.command = {"eval.sh", "--fast"};
    spec.executor = "slurm";
    spec.slurm.partition = "gpu";
    spec.slurm.gres = "gpu:1";
    spec.slurm.sbatchArgs = {"--account=lab"};
    spec.slurm.setup = {"module load cuda"};
    spec.slurm.maxRequeues = 5;
    const StudySpec back = StudySpec::fromJson(spec.toJson());
    EXPECT_EQ(back.toJson(), spec.toJson());
    EXPECT_EQ(back.slurm.setup, spec.slurm.setup);
    EXPECT_EQ(StudySpec::fromJson(R"({"name": "x", "strategy": "ei"})").strategy, "ei");
    auto error = [](const std::string& json) {
        try {
            StudySpec::fromJson(json);
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(error(R"({"evaluator": "gpu"})"), "study: evaluator 'gpu' is not torch, synthetic or command");
    EXPECT_EQ(error(R"({"batch": 0})"), "study: batch must be at least 1");
    EXPECT_EQ(error(R"({"executor": "pbs"})"), "study: executor 'pbs' is not local or slurm");
    EXPECT_EQ(error(R"({"slurm": []})"), "study file: field \"slurm\" must be an object");
    EXPECT_EQ(error(R"({"slurm": {"max_requeues": -1}})"), "study: slurm.max_requeues must be 0..100");
    EXPECT_NE(error(R"({"slurm": {"partition": 3}})").find("field \"slurm.partition\" has the wrong type"),
              std::string::npos);
    EXPECT_EQ(error(R"({"budget_trials": null, "budget_cost": null})"),
              "study: give a budget (\"budget_trials\" or \"budget_cost\")");
    EXPECT_EQ(error(R"({"batch": "two"})"),
              "study file: field \"batch\" must be an integer in -2147483648..2147483647, got \"two\"");
    EXPECT_NE(error(R"({"quantizer": 3})").find("field \"quantizer\" has the wrong type"), std::string::npos);
    EXPECT_NE(error("{oops").find("not valid JSON"), std::string::npos);
    // Numbers no integer field can hold are refused, not cast (undefined behaviour; fuzz_study_spec).
    EXPECT_EQ(error(R"({"workers": 1e10})"),
              "study file: field \"workers\" must be an integer in -2147483648..2147483647, got 10000000000.0");
    EXPECT_EQ(error(R"({"search_size": -1})"),
              "study file: field \"search_size\" must be an integer in 0..18446744073709551615, got -1");
    EXPECT_EQ(error(R"({"budget_trials": 4294967296})"),
              "study file: field \"budget_trials\" must be an integer in -2147483648..2147483647, got 4294967296");
    EXPECT_EQ(error(R"({"tasks": [{"steps": 1e30}]})"),
              "study file: a task's \"steps\" must be an integer in -9223372036854775808..9223372036854775807, got "
              "1e+30");
    EXPECT_NE(error(R"({"seed": 1e999})").find("study file is not valid JSON"), std::string::npos);
    // A float overflowing to infinity would be stored as null and the study never opened again.
    EXPECT_EQ(error(R"({"input_std": [4e74]})"), "study: input_std entries must be positive finite numbers");
    EXPECT_EQ(error(R"({"input_mean": [-1e39]})"), "study: input_mean entries must be finite numbers");
}

TEST(StudyStore, CreatesLoadsAndKeepsTrials)
{
    test::TempDir dir;
    const std::string path = dir.file("studies.db");
    SyntheticTrialEvaluator evaluator(syntheticSpec(5));
    {
        StudyStore store(path);
        store.createStudy(syntheticSpec(5), evaluator.layers());
        StudySpec other = syntheticSpec(3);
        other.name = "other";
        store.createStudy(other, evaluator.layers());
        EXPECT_THROW(store.createStudy(other, evaluator.layers()), StoreError);
        const int64_t id = store.loadStudy("synthetic").id;
        const int64_t trial = store.addPendingTrial(id, BitConfig::uniform(8, 9), 0, "test");
        store.markRunning(trial);
    }
    StudyStore reopened(path);
    EXPECT_EQ(reopened.studyNames(), (std::vector<std::string>{"synthetic", "other"}));
    const StoredStudy study = reopened.loadStudy("synthetic");
    ASSERT_EQ(study.layers.size(), 9u);
    EXPECT_EQ(study.layers[3].weightCount, evaluator.layers()[3].weightCount);
    EXPECT_EQ(reopened.trials(study.id).front().status, TrialStatus::Running);
    EXPECT_EQ(reopened.requeueRunning(study.id), 1);
    EXPECT_EQ(reopened.trials(study.id).front().status, TrialStatus::Pending);
    try {
        reopened.loadStudy("missing");
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_EQ(std::string(e.what()), "no study 'missing' in " + path + " (it has: synthetic, other)");
    }
}

TEST(StudyStore, ATrialWhoseConfigurationDoesNotFitItsStudyIsNamed)
{
    test::TempDir dir;
    const std::string path = dir.file("studies.db");
    SyntheticTrialEvaluator evaluator(syntheticSpec(5));
    int64_t studyId = 0, trial = 0;
    {
        StudyStore store(path);
        studyId = store.createStudy(syntheticSpec(5), evaluator.layers());
        trial = store.addPendingTrial(studyId, BitConfig::uniform(8, 9), 0, "test");
    }
    SqliteDb(path, SqliteDb::Access::ReadWrite).execute("UPDATE trials SET config = '8,8,9'");
    StudyStore store(path);
    try {
        store.trials(studyId);
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("trial " + std::to_string(trial) + " has a damaged configuration"),
                  std::string::npos)
            << e.what();
    }
}

TEST(StudyStore, RejectsFilesThatAreNotStudies)
{
    test::TempDir dir;
    std::ofstream(dir.file("text.db")) << "just some text, not a database at all; long enough to have a header........";
    EXPECT_THROW(StudyStore(dir.file("text.db")), StoreError);
    EXPECT_THROW(StudyStore(dir.file("no/such/dir/x.db")), StoreError);
}

std::string fileBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Hardening case 6: another program's SQLite database given as --db is refused, and left exactly
/// as it was (it used to be switched to write-ahead logging on the way).
TEST(StudyStore, ForeignSqliteFileIsRefusedAndLeftUnchanged)
{
    test::TempDir dir;
    const std::string path = dir.file("foreign.db");
    {
        SqliteDb foreign(path, SqliteDb::Access::Create);
        foreign.execute("CREATE TABLE songs(title TEXT); INSERT INTO songs VALUES('one')");
    }
    const std::string before = fileBytes(path);
    for (bool reading : {false, true}) {
        try {
            StudyStore store = reading ? StudyStore::openForReading(path) : StudyStore(path);
            FAIL() << "a foreign database was accepted";
        } catch (const StoreError& e) {
            EXPECT_NE(std::string(e.what()).find("is an SQLite database but not a Quantscope study file"),
                      std::string::npos)
                << e.what();
        }
    }
    EXPECT_EQ(fileBytes(path), before);
    EXPECT_FALSE(std::ifstream(path + "-wal").good());
}

/// A study file that `study create` made but could not fill (a refused spec here; a full disk in
/// cli.hardening.filesystems) is removed; one that already holds a study never is.
TEST(StudyStore, FailedCreateLeavesNoFileBehind)
{
    test::TempDir dir;
    const std::string path = dir.file("new.db");
    StudySpec refused = syntheticSpec(3);
    refused.budgetTrials = -1;
    SyntheticTrialEvaluator evaluator(syntheticSpec(3));
    {
        StudyStore store(path);
        EXPECT_THROW(store.createStudy(refused, evaluator.layers()), Error);
    }
    EXPECT_FALSE(std::ifstream(path).good());
    StudyStore store(path);
    store.createStudy(syntheticSpec(3), evaluator.layers());
    refused.name = "second";
    EXPECT_THROW(store.createStudy(refused, evaluator.layers()), Error);
    EXPECT_EQ(StudyStore(path).studyNames(), std::vector<std::string>{"synthetic"});
}

/// The request document round-trips (the whole 64-bit seed range included), and numbers no
/// integer holds are refused, not converted (fuzz_evaluator_protocol found `"protocol": 1e61`).
TEST(EvaluatorProtocol, RequestsRoundTripAndOutOfRangeNumbersAreRefused)
{
    const std::vector<std::string> names = {"a", "b"};
    TrialRequest request;
    request.trialId = 7;
    request.study = "s";
    request.layerNames = names;
    request.bits = BitConfig::parse("8,4/2", names);
    request.task = 1;
    request.steps = 600;
    request.seed = 18446744073709551000ull;
    const TrialRequest back = parseTrialRequest(trialRequestJson(request), names);
    EXPECT_EQ(back.seed, request.seed);
    EXPECT_EQ(back.bits.toString(), request.bits.toString());
    EXPECT_EQ(back.steps, 600);
    for (const std::string bad :
         {R"({"protocol": 1e61, "config": "8,8", "task": 0, "finetune_steps": 0})",
          R"({"protocol": 1, "config": "8,8", "task": 1e61, "finetune_steps": 0})",
          R"({"protocol": 1, "config": "8,8", "task": 0, "finetune_steps": -5})",
          R"({"protocol": 1, "config": "8,8", "task": 0, "finetune_steps": 1.5})",
          R"({"protocol": 1, "config": "8,8", "task": 0, "finetune_steps": 0, "seed": -1})", R"([1, 2])"})
        EXPECT_THROW(parseTrialRequest(bad, names), ConfigError) << bad;
    // A request may leave the seed out (0): hand-written requests to `study evaluate` do.
    EXPECT_EQ(parseTrialRequest(R"({"protocol": 1, "config": "8,8", "task": 0, "finetune_steps": 0})", names).seed, 0u);
}

TEST(StudyStore, RunLockRefusesALiveHolderAndTakesOverADeadOne)
{
    test::TempDir dir;
    StudyStore store(dir.file("lock.db"));
    SyntheticTrialEvaluator evaluator(syntheticSpec(5));
    const int64_t id = store.createStudy(syntheticSpec(5), evaluator.layers());
    {
        StudyStore::RunLock lock(store, id);
        // A second process would see this holder alive; simulate it with the parent process.
        StudyStore other(dir.file("lock.db"));
        SqliteDb raw(dir.file("lock.db"), SqliteDb::Access::ReadWrite);
        const auto holdBy = [&](int64_t pid, const std::string& identity) {
            raw.execute("UPDATE run_locks SET pid = " + std::to_string(pid) + ", holder = '" + identity + "'");
        };
        const ProcessIdentity parent = processById(getppid());
        holdBy(parent.pid, parent.text());
        EXPECT_THROW(StudyStore::RunLock(other, id), StoreBusyError);
        // A holder that died (pid far beyond any live process) is taken over.
        holdBy(2147483000, parent.text());
        EXPECT_NO_THROW(StudyStore::RunLock(other, id));
    }
}

/// Hardening case 4: a runner killed inside a PID namespace left a lock naming a PID that is
/// alive here (PID 1, or a PID since reused): the start time tells them apart, so it is taken over.
TEST(StudyStore, RunLockOfAReusedOrForeignPidIsTakenOver)
{
    test::TempDir dir;
    StudyStore store(dir.file("lock.db"));
    SyntheticTrialEvaluator evaluator(syntheticSpec(5));
    const int64_t id = store.createStudy(syntheticSpec(5), evaluator.layers());
    SqliteDb raw(dir.file("lock.db"), SqliteDb::Access::ReadWrite);
    const ProcessIdentity parent = processById(getppid());
    ASSERT_GE(parent.startTicks, 0) << "no /proc here";
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    // As the dead runner recorded itself: this boot, a start time no live process with its PID has.
    const std::string dead = parent.boot + ":" + std::to_string(parent.startTicks + 1);
    for (const int64_t pid : {int64_t(1), parent.pid}) {
        raw.execute("INSERT OR REPLACE INTO run_locks(study_id, pid, host, acquired_at, holder) VALUES("
                    + std::to_string(id) + ", " + std::to_string(pid) + ", '" + host + "', 'now', '" + dead + "')");
        EXPECT_NO_THROW(StudyStore::RunLock(store, id)) << "pid " << pid;
    }
    // A lock from before the machine's last boot is stale whatever its PID.
    ASSERT_EQ(processAlive(ProcessIdentity::parse(parent.pid, "another-boot:" + std::to_string(parent.startTicks))),
              false);
    EXPECT_TRUE(processAlive(parent));
}

TEST(StudyRunner, StopsAtTheBudgetAndResumes)
{
    test::TempDir dir;
    StudyStore store(dir.file("run.db"));
    SyntheticTrialEvaluator evaluator(syntheticSpec(12));
    store.createStudy(syntheticSpec(12), evaluator.layers());
    {
        StudyRunner runner(store, "synthetic", evaluator);
        for (int i = 0; i < 5; ++i)
            runner.step();
        EXPECT_EQ(runner.completedTrials(), 5);
    }
    StudyRunner resumed(store, "synthetic", evaluator);
    EXPECT_EQ(resumed.completedTrials(), 5);
    int seen = 0;
    resumed.run({}, [&](const TrialRow&) { ++seen; });
    EXPECT_EQ(seen, 7);
    EXPECT_TRUE(resumed.budgetSpent());
    int done = 0;
    const auto pairs = donePairs(store.trials(resumed.study().id), &done);
    EXPECT_EQ(done, 12);
    EXPECT_EQ(pairs.size(), 12u);
    EXPECT_TRUE(resumed.step().empty());
}

/// A shell script as the evaluator command.
StudySpec commandSpec(const test::TempDir& dir, const std::string& body, double timeout = 10)
{
    const std::string script = dir.file("evaluate.sh");
    std::ofstream(script) << "#!/bin/sh\n" << body << "\n";
    chmod(script.c_str(), 0755);
    StudySpec spec = StudySpec::defaults();
    spec.name = "command";
    spec.evaluator = "command";
    spec.command = {script};
    spec.commandTimeout = timeout;
    return spec;
}

TrialRequest request()
{
    TrialRequest r;
    r.study = "command";
    r.bits = BitConfig::uniform(4, 9);
    r.layerNames = std::vector<std::string>(9, "layer");
    r.task = 1;
    return r;
}

TEST(CommandEvaluator, ReadsTheResultAndFailsCleanly)
{
    test::TempDir dir;
    // Echo back the task from the request, so the test sees that the request arrived.
    CommandTrialEvaluator ok(commandSpec(
        dir,
        R"(read line; case "$line" in *'"task":1'*) echo '{"accuracy": 87.5}';; *) echo '{"accuracy": 0}';; esac)"));
    const TrialResult result = ok.evaluate(request(), {});
    EXPECT_DOUBLE_EQ(result.accuracy, 87.5);
    EXPECT_GT(result.memoryMB, 0);

    auto failure = [&](const std::string& body, double timeout = 10) {
        CommandTrialEvaluator evaluator(commandSpec(dir, body, timeout));
        try {
            evaluator.evaluate(request(), {});
        } catch (const EvaluationFailed& e) {
            return std::string(e.what());
        }
        return std::string("no failure");
    };
    EXPECT_EQ(failure("exit 3"), "evaluator command exited with status 3");
    EXPECT_EQ(failure("echo starting >&2; echo \"no GPU found\" >&2; exit 4"),
              "evaluator command exited with status 4: no GPU found");
    EXPECT_EQ(failure("echo not json"), "unreadable evaluator output (expected JSON with \"accuracy\"): 'not json '");
    EXPECT_EQ(failure("sleep 5", 0.3), "evaluator command timed out after 0 s");
    EXPECT_EQ(failure("kill -9 $$"), "evaluator command was killed by signal 9");
    // Issue 15: a command that answers at once but leaves a background child holding its output
    // is not "timed out"; a timed-out command's children are stopped with it.
    {
        CommandTrialEvaluator evaluator(commandSpec(dir, R"((sleep 30) & echo '{"accuracy": 61.5}')", 10));
        const auto start = std::chrono::steady_clock::now();
        EXPECT_DOUBLE_EQ(evaluator.evaluate(request(), {}).accuracy, 61.5);
        EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
    }
    const std::string marker = dir.file("left-behind");
    EXPECT_EQ(failure("(sleep 1.5; touch " + marker + ") & sleep 10", 0.3), "evaluator command timed out after 0 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    EXPECT_FALSE(std::ifstream(marker).good()) << "the timed-out command's background child kept running";
    // Nonsense results (issue 15) fail the trial instead of entering the study.
    EXPECT_EQ(failure(R"(echo '{"accuracy": 50, "memory_mb": -1, "bops": 1}')"),
              "evaluator command reported memory_mb -1.000000: it must be a non-negative number");
    EXPECT_EQ(failure(R"(echo '{"accuracy": 150}')"),
              "evaluator command reported accuracy 150.000000, outside 0..100 (percent)");
}

/// SIGKILL mid-evaluation, run again: exactly the budgeted trials, none lost, none duplicated.
/// SIGKILLs `study run` (with `workers` parallel evaluations) mid-evaluation and runs it again: exactly the
/// budgeted trials finish, none lost, none duplicated.
void killRunAndResume(int workers)
{
    test::TempDir dir;
    const std::string db = dir.file("kill.db");
    StudySpec spec = syntheticSpec(10);
    spec.syntheticDelay = 0.25;
    std::ofstream(dir.file("spec.json")) << spec.toJson();
    auto spawn = [&](std::vector<std::string> args) {
        args.insert(args.begin(), QUANTSCOPE_CLI);
        std::vector<char*> argv;
        for (std::string& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t pid = 0;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        EXPECT_EQ(posix_spawn(&pid, QUANTSCOPE_CLI, &actions, nullptr, argv.data(), environ), 0);
        posix_spawn_file_actions_destroy(&actions);
        return pid;
    };
    auto wait = [](pid_t pid) {
        int status = 0;
        waitpid(pid, &status, 0);
        return status;
    };
    const std::vector<std::string> run = {"study",     "run",
                                          "--db",      db,
                                          "--name",    "synthetic",
                                          "--spec",    dir.file("spec.json"),
                                          "--workers", std::to_string(workers)};
    std::vector<std::string> create = run;
    create[1] = "create";
    ASSERT_EQ(wait(spawn(create)), 0);

    const pid_t runner = spawn(run);
    // Wait until a few trials are done and one is running, then kill without warning.
    StudyStore store(db);
    const int64_t id = store.loadStudy("synthetic").id;
    for (int i = 0; i < 400; ++i) {
        int done = 0;
        const auto trials = store.trials(id);
        donePairs(trials, &done);
        const bool running = std::any_of(trials.begin(), trials.end(),
                                         [](const TrialRow& t) { return t.status == TrialStatus::Running; });
        if (done >= 3 && running)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(runner, SIGKILL);
    const int killed = wait(runner);
    ASSERT_TRUE(WIFSIGNALED(killed) && WTERMSIG(killed) == SIGKILL);
    int doneBefore = 0;
    donePairs(store.trials(id), &doneBefore);
    ASSERT_LT(doneBefore, 10);
    const std::vector<TrialRow> afterKill = store.trials(id);
    const auto running = std::count_if(afterKill.begin(), afterKill.end(),
                                       [](const TrialRow& t) { return t.status == TrialStatus::Running; });
    ASSERT_GE(running, 1);
    ASSERT_LE(running, workers);

    ASSERT_EQ(wait(spawn(run)), 0);
    int done = 0;
    const auto pairs = donePairs(store.trials(id), &done);
    EXPECT_EQ(done, 10);
    EXPECT_EQ(pairs.size(), 10u);
    EXPECT_EQ(store.trials(id).size(), 10u); // the interrupted trials were re-run, not re-proposed
}

TEST(StudyCli, SurvivesSigkillMidEvaluation)
{
    killRunAndResume(1);
}

TEST(StudyCli, SurvivesSigkillWithParallelWorkers)
{
    killRunAndResume(2);
}

} // namespace
} // namespace quantscope

namespace quantscope {
namespace {

TEST(StudyResults, FrontsRankingBaselinesAndPredictionError)
{
    test::TempDir dir;
    StudyStore store(dir.file("results.db"));
    SyntheticTrialEvaluator evaluator(syntheticSpec(25));
    store.createStudy(syntheticSpec(25), evaluator.layers());
    StudyRunner runner(store, "synthetic", evaluator);
    runner.run();
    const StoredStudy study = store.loadStudy("synthetic");
    const std::vector<TrialRow> trials = store.trials(study.id);
    const StudyResults results = computeStudyResults(study, trials, 5);
    ASSERT_TRUE(results.hasSurrogate);
    EXPECT_EQ(results.targetTask, 3);
    ASSERT_FALSE(results.observedFront.empty());
    for (size_t i = 1; i < results.observedFront.size(); ++i) {
        EXPECT_GT(results.observedFront[i].memoryMB, results.observedFront[i - 1].memoryMB);
        EXPECT_GT(results.observedFront[i].accuracy, results.observedFront[i - 1].accuracy);
        EXPECT_TRUE(results.observedFront[i].observed);
    }
    EXPECT_FALSE(results.predictedFront.empty());
    ASSERT_EQ(results.ranking.size(), 5u);
    EXPECT_GE(results.ranking[0].effectiveAccuracy, results.ranking[4].effectiveAccuracy);
    ASSERT_EQ(results.baselines.size(), 4u);
    EXPECT_EQ(results.baselines[0].bits, BitConfig::uniform(8, 9));
    EXPECT_GT(results.baselines[0].memoryMB, results.baselines[3].memoryMB);
    int targetTrials = 0;
    for (const TrialRow& t : trials)
        targetTrials += t.status == TrialStatus::Done && t.task == 3;
    EXPECT_EQ(results.predictionError.trials, targetTrials);
    EXPECT_GT(results.predictionError.rmse, 0);
}

TEST(StudyResults, AnExternalEvaluatorsReportedMemoryDrivesTheFront)
{
    test::TempDir dir;
    // Accuracy varies with the request (its length follows the configuration); memory and BOPs
    // are reported, and differ from anything the local cost model would compute.
    StudySpec spec = commandSpec(
        dir, R"(read line; n=${#line}; echo "{\"accuracy\": $((70 + n % 20)), \"memory_mb\": 0.0625, \"bops\": 5}")");
    spec.budgetTrials = 14;
    StudyStore store(dir.file("reported.db"));
    CommandTrialEvaluator evaluator(spec);
    store.createStudy(spec, SyntheticProblem::standard(9, 0).layers());
    StudyRunner runner(store, "command", evaluator);
    runner.run();
    const StoredStudy study = store.loadStudy("command");
    const StudyResults results = computeStudyResults(study, store.trials(study.id));
    ASSERT_FALSE(results.observedFront.empty());
    // Every measured configuration costs the same reported 0.0625 MB, so the front is one point.
    EXPECT_EQ(results.observedFront.size(), 1u);
    EXPECT_DOUBLE_EQ(results.observedFront[0].memoryMB, 0.0625);
    EXPECT_DOUBLE_EQ(results.observedFront[0].bops, 5);
    for (const ResultPoint& p : results.baselines) {
        if (p.observed) {
            EXPECT_DOUBLE_EQ(p.memoryMB, 0.0625) << p.bits.toString();
        }
    }
    EXPECT_NE(studyMemoryMB(study, BitConfig::uniform(8, 9)), 0.0625);
    // Further configurations (the what-if editor's) get the reported costs where measured.
    ASSERT_TRUE(results.costs);
    const BitConfig measured = results.observedFront[0].bits;
    EXPECT_DOUBLE_EQ(results.costs->memoryMB(measured), 0.0625);
    const BitConfig unmeasured = BitConfig::parse("8,1,8,1,8,1,8,1,8", std::vector<std::string>(9, "layer"));
    EXPECT_DOUBLE_EQ(results.costs->memoryMB(unmeasured), studyMemoryMB(study, unmeasured));
}

TEST(StudyResults, AFreshStudyShowsNoBaselineItCannotMeasureOrPredict)
{
    test::TempDir dir;
    StudyStore store(dir.file("fresh.db"));
    SyntheticTrialEvaluator evaluator(syntheticSpec(5));
    store.createStudy(syntheticSpec(5), evaluator.layers());
    const StoredStudy study = store.loadStudy("synthetic");
    const StudyResults results = computeStudyResults(study, store.trials(study.id), 5);
    EXPECT_FALSE(results.hasSurrogate);
    EXPECT_TRUE(results.baselines.empty()); // not uniform networks at 0 % accuracy
}

} // namespace
} // namespace quantscope

namespace quantscope {
namespace {

TEST(StudyStore, MigratesVersionOneFilesAndRefusesNewerOnes)
{
    test::TempDir dir;
    {
        // A version-1 file as the first release wrote it: no study_artifacts table, no lock holder.
        StudyStore store(dir.file("v1.db"));
        SyntheticTrialEvaluator evaluator(syntheticSpec(3));
        store.createStudy(syntheticSpec(3), evaluator.layers());
        SqliteDb raw(dir.file("v1.db"), SqliteDb::Access::ReadWrite);
        raw.execute("DROP TABLE study_artifacts");
        raw.execute("ALTER TABLE run_locks DROP COLUMN holder");
        raw.execute("ALTER TABLE trials DROP COLUMN job");
        raw.execute("PRAGMA user_version = 1");
    }
    StudyStore migrated(dir.file("v1.db"));
    const int64_t id = migrated.loadStudy("synthetic").id;
    const int64_t trial =
        migrated.addPendingTrial(id, BitConfig::uniform(4, migrated.loadStudy("synthetic").layers.size()), 0, "test");
    EXPECT_EQ(migrated.trials(id).front().job, "");
    migrated.setTrialJob(trial, "4711");
    EXPECT_EQ(migrated.trials(id).front().job, "4711");
    EXPECT_FALSE(migrated.artifact(id, "sensitivity"));
    migrated.saveArtifact(id, "sensitivity", "{\"x\": 1}");
    migrated.saveArtifact(id, "sensitivity", "{\"x\": 2}");
    EXPECT_EQ(*migrated.artifact(id, "sensitivity"), "{\"x\": 2}");
    {
        // A version-3 file (before queue jobs) still serves readers that may not migrate it.
        SqliteDb raw(dir.file("v1.db"), SqliteDb::Access::ReadWrite);
        raw.execute("ALTER TABLE trials DROP COLUMN job");
        raw.execute("PRAGMA user_version = 3");
    }
    EXPECT_EQ(StudyStore::openForReading(dir.file("v1.db")).trials(id).front().job, "");
    {
        SqliteDb raw(dir.file("v1.db"), SqliteDb::Access::ReadWrite);
        raw.execute("PRAGMA user_version = 99");
    }
    try {
        StudyStore newer(dir.file("v1.db"));
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("newer than this Quantscope understands"), std::string::npos);
    }
}

/// A read-only study file (opened for reading, or write-protected on disk) serves readers and
/// refuses every change with a clear message, leaving the file as it was.
TEST(StudyStore, ReadOnlyFilesServeReadersAndRefuseChanges)
{
    test::TempDir dir;
    const std::string path = dir.file("ro.db");
    {
        StudyStore store(path);
        SyntheticTrialEvaluator evaluator(syntheticSpec(3));
        store.createStudy(syntheticSpec(3), evaluator.layers());
        SyntheticTrialEvaluator runnerEvaluator(syntheticSpec(3));
        StudyRunner(store, "synthetic", runnerEvaluator).run();
    }
    auto expectRefused = [](const std::function<void()>& change) {
        try {
            change();
            FAIL() << "a read-only study file accepted a change";
        } catch (const StoreError& e) {
            EXPECT_NE(std::string(e.what()).find("is read-only"), std::string::npos) << e.what();
        }
    };
    {
        StudyStore reader = StudyStore::openForReading(path);
        const StoredStudy study = reader.loadStudy("synthetic");
        EXPECT_EQ(reader.trials(study.id).size(), 3u);
        expectRefused([&] { reader.addPendingTrial(study.id, BitConfig::uniform(8, 9), 0, "test"); });
        expectRefused([&] { reader.saveArtifact(study.id, "sensitivity", "{}"); });
        expectRefused([&] { StudyStore::RunLock lock(reader, study.id); });
    }
    if (geteuid() != 0) { // root writes through file permissions
        ASSERT_EQ(chmod(path.c_str(), 0444), 0);
        StudyStore writeProtected(path, false);
        expectRefused([&] {
            writeProtected.addPendingTrial(writeProtected.loadStudy("synthetic").id, BitConfig::uniform(8, 9), 0, "t");
        });
        chmod(path.c_str(), 0644);
    }
    StudyStore reopened(path);
    EXPECT_EQ(reopened.trials(reopened.loadStudy("synthetic").id).size(), 3u);
}

} // namespace
} // namespace quantscope
