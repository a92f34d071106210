#include "cli_context.h"
#include "commands.h"
#include "study_options.h"
#include "study_progress_line.h"

#include "common/error.h"
#include "study/evaluator_protocol.h"
#include "study/ebs_sweep.h"
#include "study/study_assets.h"
#include "study/study_runner.h"
#include "study/study_service.h"
#include "study/study_store.h"
#include "study/trial_evaluator.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace quantscope::cli {
namespace {

CancelToken gInterrupt;
volatile std::sig_atomic_t gSignal = 0;

void onInterrupt(int signal)
{
    gSignal = signal;
    gInterrupt.cancel();
}

/// `path` made absolute (empty stays empty): a study keeps the files it names wherever it is opened.
std::string absolutePath(const std::string& path)
{
    return path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
}

/// How this run executes (workers, threads): given on `create` they are stored, on `run` and
/// `step` they apply to that run only.
void applyRunOptions(StudySpec& spec, const StudyOptions& options)
{
    if (options.workers > 0)
        spec.workers = options.workers;
    if (options.threads >= 0)
        spec.threads = options.threads;
}

StudySpec specFrom(const StudyOptions& options)
{
    StudySpec spec = options.specFile.empty() ? StudySpec::defaults()
                                              : StudySpec::fromJson(readTextFile(options.specFile, "study file"));
    if (options.name != "default" || options.specFile.empty())
        spec.name = options.name;
    if (!options.evaluator.empty())
        spec.evaluator = options.evaluator;
    // Paths as absolute ones: the study is opened again from other folders (the workbench, workers).
    if (!options.model.empty())
        spec.model = absolutePath(options.model);
    if (!options.inputMean.empty() || !options.inputStd.empty()) {
        spec.inputMean = options.inputMean;
        spec.inputStd = options.inputStd;
    }
    if (!options.encoding.empty())
        spec.encoding = options.encoding;
    if (!options.quantizer.empty())
        spec.quantizer = options.quantizer;
    if (!options.strategy.empty())
        spec.strategy = options.strategy;
    if (!options.ebsBudgets.empty())
        spec.ebs.budgets = options.ebsBudgets;
    if (options.ebsSteps != 0)
        spec.ebs.steps = options.ebsSteps;
    if (!options.ebsCandidates.empty())
        spec.ebs.candidates = options.ebsCandidates;
    if (options.budgetTrials > 0) {
        spec.budgetTrials = options.budgetTrials;
        spec.budgetCost.reset();
    }
    if (options.budgetCost > 0) {
        spec.budgetCost = options.budgetCost;
        spec.budgetTrials.reset();
    }
    if (options.limit > 0)
        spec.data.limit = options.limit;
    applyDataOptions(options.data, options.dataGiven, spec.data);
    if (options.dataGiven.count("--data-dir") > 0)
        spec.data.dataDir = absolutePath(spec.data.dataDir);
    spec.data = spec.data.canonical();
    if (options.batch > 0)
        spec.batch = options.batch;
    applyRunOptions(spec, options);
    if (options.seedGiven)
        spec.seed = options.seed;
    if (spec.evaluator == "synthetic" && options.specFile.empty())
        spec.tasks = StudySpec::synthetic().tasks; // the synthetic problem has its own four tasks
    spec.validate();
    return spec;
}

void printTrial(const TrialRow& row, bool json)
{
    if (json) {
        nlohmann::ordered_json j = {{"trial", row.id},
                                    {"config", row.bits.toString()},
                                    {"task", row.task},
                                    {"status", trialStatusName(row.status)}};
        if (row.accuracy)
            j["accuracy"] = *row.accuracy;
        if (row.memoryMB)
            j["memory_mb"] = *row.memoryMB;
        if (row.seconds)
            j["seconds"] = *row.seconds;
        if (!row.error.empty())
            j["error"] = row.error;
        if (!row.job.empty())
            j["job"] = row.job;
        std::cout << j.dump() << std::endl;
        return;
    }
    std::cout << "trial " << row.id << "  task " << row.task << "  " << row.bits.toString() << "  ";
    if (row.status == TrialStatus::Done)
        std::cout << std::fixed << std::setprecision(2) << *row.accuracy << " %  " << std::setprecision(4)
                  << row.memoryMB.value_or(0) << " MB";
    else
        std::cout << "failed: " << row.error;
    if (!row.job.empty())
        std::cout << "  (job " << row.job << ")";
    std::cout << std::endl;
}

void create(const StudyOptions& options)
{
    const StudySpec spec = specFrom(options);
    std::shared_ptr<const StudyAssets> assets;
    if (spec.evaluator == "torch") { // the network and data, checked (and an image folder indexed) now
        ProgressPrinter printer(!options.json);
        assets = StudyAssets::load(spec, printer.control());
        printNotes(assets->splits);
    }
    const std::unique_ptr<TrialEvaluator> evaluator = makeTrialEvaluator(spec, assets);
    StudyStore store(options.database);
    store.createStudy(assets ? assets->withMeasuredNormalisation(spec) : spec, evaluator->layers());
    if (options.json)
        std::cout << nlohmann::json{{"created", spec.name}, {"database", options.database}}.dump() << "\n";
    else
        std::cout << "created study '" << spec.name << "' in " << options.database << " (" << evaluator->layers().size()
                  << " layers, " << spec.tasks.size() << " tasks, "
                  << (spec.strategy == "ebs" ? "ebs search jobs of " + std::to_string(spec.ebs.steps) + " steps"
                                             : spec.strategy + " on " + spec.encoding)
                  << ")\n";
}

/// Opens the study, creating the default one when asked to run a study that does not exist yet.
StoredStudy openOrCreate(StudyStore& store, const StudyOptions& options, bool& created)
{
    created = false;
    for (const std::string& name : store.studyNames())
        if (name == options.name)
            return store.loadStudy(name);
    if (options.name != "default" || !options.specFile.empty())
        return store.loadStudy(options.name); // reports the missing study
    const StudySpec spec = specFrom(options);
    store.createStudy(spec, makeTrialEvaluator(spec)->layers());
    created = true;
    return store.loadStudy(spec.name);
}

template <typename T> std::string shown(const T& value)
{
    std::ostringstream out;
    out << value;
    return out.str();
}

/// Definition options given to `run`/`step` of an existing study: refused, each named, unless
/// they repeat the stored value. Silently ignoring them would run a study other than the one asked.
void refuseChangedDefinition(const StudySpec& stored, const StudyOptions& o)
{
    std::vector<std::string> changed;
    const auto check = [&](bool differs, const std::string& option, const std::string& storedValue) {
        if (differs)
            changed.push_back(option + " (it is " + (storedValue.empty() ? "unset" : storedValue) + ")");
    };
    const auto list = [](const auto& values) {
        std::string text;
        for (const auto& v : values)
            text += (text.empty() ? "" : ",") + shown(v);
        return text;
    };
    if (!o.specFile.empty()) { // a study file may repeat the study; each field it changes is named
        const nlohmann::json requested = nlohmann::json::parse(specFrom(o).toJson());
        const nlohmann::json current = nlohmann::json::parse(stored.toJson());
        for (const auto& [key, value] : requested.items())
            if (key != "budget_trials" && key != "budget_cost" && key != "workers" && key != "threads")
                check(!current.contains(key) || current.at(key) != value, "'" + key + "' in --spec",
                      current.contains(key) ? current.at(key).dump() : std::string());
    }
    check(!o.evaluator.empty() && o.evaluator != stored.evaluator, "--evaluator", stored.evaluator);
    check(!o.model.empty() && absolutePath(o.model) != absolutePath(stored.model), "--model", stored.model);
    check(!o.inputMean.empty() && o.inputMean != stored.inputMean, "--input-mean", list(stored.inputMean));
    check(!o.inputStd.empty() && o.inputStd != stored.inputStd, "--input-std", list(stored.inputStd));
    check(!o.encoding.empty() && o.encoding != stored.encoding, "--encoding", stored.encoding);
    check(!o.quantizer.empty() && o.quantizer != stored.quantizer, "--quantizer", stored.quantizer);
    check(!o.strategy.empty() && o.strategy != stored.strategy, "--strategy", stored.strategy);
    check(!o.ebsBudgets.empty() && o.ebsBudgets != stored.ebs.budgets, "--ebs-budgets", list(stored.ebs.budgets));
    check(o.ebsSteps != 0 && o.ebsSteps != stored.ebs.steps, "--ebs-steps", shown(stored.ebs.steps));
    check(!o.ebsCandidates.empty() && o.ebsCandidates != stored.ebs.candidates, "--ebs-candidates",
          list(stored.ebs.candidates));
    check(o.limit > 0 && o.limit != stored.data.limit, "--limit", shown(stored.data.limit));
    // Data options given on run or step must repeat the stored ones.
    DataSettings requested = o.data.canonical(), held = stored.data.canonical();
    requested.dataDir = absolutePath(requested.dataDir);
    held.dataDir = absolutePath(held.dataDir);
    for (const auto& [option, value] : changedDataOptions(requested, held, o.dataGiven))
        check(true, option, value);
    check(o.batch > 0 && o.batch != stored.batch, "--batch", shown(stored.batch));
    check(o.seedGiven && o.seed != stored.seed, "--seed", shown(stored.seed));
    if (changed.empty())
        return;
    std::string names;
    for (const std::string& c : changed)
        names += (names.empty() ? "" : ", ") + c;
    throw ConfigError("study '" + stored.name + "' exists; " + names
                      + " cannot change after creation (only the budget, "
                      + "--workers and --threads can): create another study with --name");
}

/// `--budget-trials` / `--budget-cost` on an existing study replace its stored budget.
StoredStudy applyBudget(StudyStore& store, const StoredStudy& stored, const StudyOptions& o)
{
    const StudySpec& spec = stored.spec;
    const auto describe = [](const StudySpec& s) {
        return s.budgetTrials ? std::to_string(*s.budgetTrials) + " trials"
            : s.budgetCost    ? shown(*s.budgetCost) + " s of evaluation"
                              : std::string("none");
    };
    // The budget asked for: the flags, else a study file's.
    std::optional<int> trials = o.budgetTrials > 0 ? std::optional<int>(o.budgetTrials) : std::nullopt;
    std::optional<double> cost = o.budgetCost > 0 ? std::optional<double>(o.budgetCost) : std::nullopt;
    if (!trials && !cost && !o.specFile.empty()) {
        const StudySpec requested = specFrom(o);
        trials = requested.budgetTrials;
        cost = requested.budgetCost;
    }
    if (trials)
        cost.reset();
    if ((!trials && !cost) || (trials == spec.budgetTrials && cost == spec.budgetCost))
        return stored;
    store.setBudget(spec.name, trials, cost);
    StoredStudy updated = store.loadStudy(spec.name);
    (o.json ? std::cerr : std::cout) << "study '" << spec.name << "': budget " << describe(spec) << " -> "
                                     << describe(updated.spec) << std::endl;
    return updated;
}

void runOrStepInScope(const StudyOptions& options, bool once)
{
    // First: an interrupt while the network and data load stops the run as one during a trial does
    // (and a run started in the background by a script has SIGINT ignored until here).
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    std::string name;
    {
        StudyStore store(options.database);
        bool created = false;
        StoredStudy stored = openOrCreate(store, options, created);
        if (!created) {
            refuseChangedDefinition(stored.spec, options);
            stored = applyBudget(store, stored, options);
        }
        name = stored.spec.name;
    }
    StudySpec spec;
    spec.name = name; // stored: the service opens it as it is
    RunSettings settings{options.workers, options.threads, std::nullopt, std::nullopt};
    if (options.dataGiven.count("--image-cache-mb") > 0) // how this machine reads, for this run
        settings.imageCacheMB = options.data.folder.cacheMB;
    if (options.dataGiven.count("--data-workers") > 0)
        settings.dataWorkers = options.data.folder.workers;
    StudyService service(options.database, spec,
                         {std::filesystem::read_symlink("/proc/self/exe").string(), options.database}, settings);
    const StudyRunner& runner = service.runner();
    StudyProgressLine line(!options.json, runner);
    WorkControl control;
    control.cancel = &gInterrupt;
    control.progress = [&line](const Progress& p) { line.update(p); };
    const auto print = [&](const TrialRow& row) { line.printAbove([&] { printTrial(row, options.json); }); };
    try {
        if (once) {
            for (const TrialRow& row : service.step(control))
                print(row);
        } else {
            service.run(control, print);
        }
    } catch (const Cancelled&) {
        line.clear();
        std::cerr << "interrupted: the running trials are queued again for the next run" << std::endl;
    }
    line.clear();
    if (!options.json)
        std::cout << runner.completedTrials() << " trials done, cost " << std::fixed << std::setprecision(1)
                  << runner.spentCost() << (runner.budgetSpent() ? " (budget spent)" : "") << std::endl;
}

void runOrStep(const StudyOptions& options, bool once)
{
    runOrStepInScope(options, once); // the runner, its lock and the store are closed here
    if (gSignal != 0)                // the shell convention: 128 + the signal, so scripts see the stop
        std::exit(128 + gSignal);
}

/// A served worker ends with the process that started it. When that one dies, even by SIGKILL, the
/// worker reads end of input, but only after the evaluation in progress; this stops it at once
/// (the worker is reparented, so its parent process id changes).
void exitWithParent()
{
    const pid_t parent = getppid();
    std::thread([parent] {
        while (getppid() == parent)
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        std::_Exit(1);
    }).detach();
}

/// The worker of a parallel run (docs/evaluator-protocol.md): a trial request on stdin, the result
/// on stdout. With --serve, requests one per line until end of input, each answered with one line
/// (a result, or {"error": reason} when the evaluation failed), the network and data loaded once.
void evaluate(const StudyOptions& options)
{
    // --spec: the study as a Slurm job reads it (jobs never open the study database).
    StudySpec spec = options.specFile.empty()
        ? StudyStore::openForReading(options.database).loadStudy(options.name).spec
        : StudySpec::fromJson(readTextFile(options.specFile, "study file"));
    applyRunOptions(spec, options);
    spec.workers = 1;
    spec.executor = "local";
    const std::unique_ptr<TrialEvaluator> evaluator = makeTrialEvaluator(spec);
    std::vector<std::string> names;
    for (const LayerInfo& layer : evaluator->layers())
        names.push_back(layer.name);
    if (!options.serve) {
        const std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        std::cout << trialResultJson(evaluator->evaluate(parseTrialRequest(input, names), WorkControl{})) << std::endl;
        return;
    }
    exitWithParent();
    for (std::string line; std::getline(std::cin, line);) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        try {
            std::cout << trialResultJson(evaluator->evaluate(parseTrialRequest(line, names), WorkControl{}))
                      << std::endl;
        } catch (const EvaluationFailed& e) {
            std::cout << trialErrorJson(e.what()) << std::endl;
        } catch (const ConfigError& e) { // a malformed request fails its trial, not the worker
            std::cout << trialErrorJson(e.what()) << std::endl;
        }
    }
}

void status(const StudyOptions& options)
{
    StudyStore store = StudyStore::openForReading(options.database);
    const StoredStudy study = store.loadStudy(options.name);
    const std::vector<TrialRow> trials = store.trials(study.id);
    int counts[4] = {0, 0, 0, 0};
    double cost = 0;
    for (const TrialRow& t : trials) {
        ++counts[int(t.status)];
        cost += t.seconds.value_or(0);
    }
    const std::vector<EbsSearchJob> ebsJobs = loadEbsSearchJobs(store, study);
    const double searchCost = ebsSearchSeconds(ebsJobs); // the ebs strategy's jobs count too
    cost += searchCost;
    const std::optional<std::string> runningJob = runningEbsSearchJob(store, study);
    if (options.json) {
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        for (const TrialRow& t : trials) {
            nlohmann::ordered_json row = {{"trial", t.id},
                                          {"config", t.bits.toString()},
                                          {"task", t.task},
                                          {"status", trialStatusName(t.status)}};
            if (t.accuracy)
                row["accuracy"] = *t.accuracy;
            rows.push_back(row);
        }
        const nlohmann::ordered_json out = {
            {"study", study.spec.name},
            {"pending", counts[0]},
            {"running", counts[1]},
            {"done", counts[2]},
            {"failed", counts[3]},
            {"cost", cost},
            {"search_jobs", ebsJobs.size()},
            {"search_cost", searchCost},
            {"running_search_job", runningJob ? nlohmann::ordered_json(*runningJob) : nlohmann::ordered_json()},
            {"trials", rows},
            {"spec", nlohmann::ordered_json::parse(study.spec.toJson())}}; // the definition as stored
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << "study '" << study.spec.name << "': " << counts[2] << " done, " << counts[3] << " failed, "
              << counts[0] << " pending, " << counts[1] << " running";
    if (runningJob)
        std::cout << ", " << *runningJob << " running"; // the job is not a trial
    std::cout << "; cost " << std::fixed << std::setprecision(1) << cost;
    if (!ebsJobs.empty())
        std::cout << " (" << searchCost << " in " << ebsJobs.size() << " EBS search jobs)";
    if (study.spec.budgetTrials)
        std::cout << "; budget " << *study.spec.budgetTrials << " trials";
    if (study.spec.budgetCost)
        std::cout << "; budget cost " << *study.spec.budgetCost;
    std::cout << "\n";
}

} // namespace

void addStudyCommand(CLI::App& app)
{
    auto options = std::make_shared<StudyOptions>();
    CLI::App* study = app.add_subcommand("study", "Create, run and inspect stored searches (SQLite study files)");
    study->require_subcommand(1);
    auto common = [options](CLI::App* command) {
        command->add_option("--db", options->database, "study file (SQLite)")->capture_default_str();
        command->add_option("--name", options->name, "study name")->capture_default_str();
        command->add_flag("--json", options->json, "machine-readable output");
    };
    auto definition = [options](CLI::App* command) {
        command->add_option("--spec", options->specFile, "study file (JSON, docs/studies.md)");
        command->add_option("--evaluator", options->evaluator, "torch, synthetic or command");
        command->add_option("--model", options->model,
                            "model file, Quantscope's or TorchScript (default: the shipped model)");
        command->add_option("--input-mean", options->inputMean, "TorchScript models: per-channel input mean")
            ->delimiter(',');
        command->add_option("--input-std", options->inputStd, "TorchScript models: per-channel input std")
            ->delimiter(',');
        command->add_option("--encoding", options->encoding, "per-layer, bezier1, bezier2 or chebyshevD");
        command->add_option("--quantizer", options->quantizer,
                            "dsconv (NUQ), uniform, hwgq, qn or qn-pow2 (docs/quantizers.md)");
        command->add_option("--strategy", options->strategy, "nuq, ehvi, ei, ucb, random or ebs (docs/ebs.md)");
        command
            ->add_option("--ebs-budgets", options->ebsBudgets,
                         "ebs: memory budgets in MB, one search job each (default: spread over the range)")
            ->delimiter(',');
        command->add_option("--ebs-steps", options->ebsSteps, "ebs: optimizer steps of each search job (default 300)");
        command
            ->add_option("--ebs-candidates", options->ebsCandidates,
                         "ebs: each layer's candidate widths (default 1,2,3,4,8)")
            ->delimiter(',');
        command->add_option("--budget-trials", options->budgetTrials, "stop after this many completed trials");
        command->add_option("--budget-cost", options->budgetCost, "stop after this much evaluation time (s)");
        command->add_option("--limit", options->limit, "use the first N images of each split (quick studies)");
        // The data options every data command takes (docs/data.md), each remembered when given.
        addDataOptions(*command, options->data, &options->dataGiven);
        command->add_option("--batch", options->batch, "proposals per step");
        command->add_option("--workers", options->workers,
                            "evaluations at once, each in its own process (on run/step: this run only)");
        command->add_option("--threads", options->threads,
                            "compute threads per evaluation (0: the cores shared among the workers)");
        command->add_option("--seed", options->seed, "search seed")->each([options](const std::string&) {
            options->seedGiven = true;
        });
    };
    CLI::App* create = study->add_subcommand("create", "Create a study from a JSON file or flags");
    common(create);
    definition(create);
    create->callback([options] { quantscope::cli::create(*options); });
    CLI::App* run = study->add_subcommand(
        "run",
        "Run a study until its budget is spent (resumes where it stopped; a larger --budget-trials or "
        "--budget-cost extends it; other definition options only create the default study)");
    common(run);
    definition(run);
    run->callback([options] { runOrStep(*options, false); });
    CLI::App* step = study->add_subcommand("step", "Run one step of a study");
    common(step);
    definition(step);
    step->callback([options] { runOrStep(*options, true); });
    auto top = std::make_shared<size_t>(10);
    CLI::App* paretoCommand = study->add_subcommand(
        "pareto", "Pareto fronts (observed and predicted), effective-accuracy ranking, uniform baselines, GP error");
    common(paretoCommand);
    paretoCommand->add_option("--top", *top, "configurations in the ranking")->capture_default_str();
    auto latency = std::make_shared<bool>(false);
    paretoCommand->add_flag("--latency", *latency,
                            "add each configuration's bit-serial latency on this machine and the front on it "
                            "(measured once, then cached; docs/bitserial.md)");
    paretoCommand->callback([options, top, latency] { printStudyPareto(*options, *top, *latency); });
    auto sensitivityOptions = std::make_shared<SensitivityOptions>();
    CLI::App* sensitivityCommand = study->add_subcommand(
        "sensitivity", "Per-layer accuracy drop at each bit width, and HAWQ-V2's Hessian metric (torch studies)");
    common(sensitivityCommand);
    sensitivityCommand->add_option("--bits", sensitivityOptions->bits, "bit widths to try")
        ->delimiter(',')
        ->capture_default_str();
    sensitivityCommand->add_option("--images", sensitivityOptions->images, "search images evaluated")
        ->capture_default_str();
    sensitivityCommand->add_option("--samples", sensitivityOptions->hutchinsonSamples, "Hutchinson samples")
        ->capture_default_str();
    sensitivityCommand->callback(
        [options, sensitivityOptions] { computeStudySensitivity(*options, *sensitivityOptions); });
    auto exportOptions = std::make_shared<ExportOptions>();
    CLI::App* exportCommand =
        study->add_subcommand("export", "Write a configuration (bits-json) or all trials (trials-csv)");
    common(exportCommand);
    exportCommand
        ->add_option("--format", exportOptions->format,
                     "bits-json, trials-csv, aimet-json (uniform quantizer), torchscript or onnx (uniform quantizer)")
        ->capture_default_str();
    exportCommand->add_option("--config", exportOptions->config,
                              "configuration to export (default: the measured one with the best effective accuracy)");
    exportCommand->add_option("--out", exportOptions->output, "file to write (default: standard output)");
    exportCommand
        ->add_option(
            "--weights", exportOptions->weights,
            "model formats: trial (re-run the target-task trial's fine-tuning, the weights the study measured), "
            "quantized (not fine-tuned) or final (a longer fine-tune on the training split, scored on the "
            "hold-out split)")
        ->capture_default_str();
    exportCommand->add_option("--final-steps", exportOptions->finalSteps,
                              "--weights final: fine-tuning steps (default: five times the target task's)");
    exportCommand->callback([options, exportOptions] { exportStudy(*options, *exportOptions); });
    CLI::App* evaluateCommand = study->add_subcommand(
        "evaluate", "Evaluate a trial request (JSON on stdin, result on stdout): the worker of parallel runs");
    common(evaluateCommand);
    evaluateCommand->add_option("--threads", options->threads, "compute threads");
    evaluateCommand->add_option("--spec", options->specFile,
                                "read the study from this JSON file instead of --db (Slurm jobs, docs/slurm.md)");
    evaluateCommand->add_flag("--serve", options->serve,
                              "answer requests one per line until end of input (persistent worker)");
    evaluateCommand->callback([options] { evaluate(*options); });
    CLI::App* statusCommand = study->add_subcommand("status", "Trials of a study by status, and the cost spent");
    common(statusCommand);
    statusCommand->callback([options] { status(*options); });
}

} // namespace quantscope::cli
