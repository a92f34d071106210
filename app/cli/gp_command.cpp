#include "cli_context.h"
#include "commands.h"

#include "common/error.h"
#include "gp/mtgp_fit.h"
#include "gp/multitask_gp.h"
#include "search/encoding.h"
#include "search/trial_csv.h"
#include "study/study_spec.h"
#include "study/study_surrogate.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>

namespace quantscope::cli {
namespace {

struct GpOptions {
    std::string trials;
    std::string encoding = "per-layer";
    std::string kernel = "matern52";
    int rank = 0;
    int restarts = 2; ///< as a study fits (StudySurrogate::fitOptions)
    int samples = StudySurrogate::kHyperparameterSamples;
    bool samplesGiven = false; ///< --samples N: N at every size, not the workbench's rule
    uint64_t seed = 0;
    std::string hyperparametersIn;
    std::string hyperparametersOut;
    std::vector<std::string> queries;
    std::string queryFile;
    std::vector<int> tasks;
    std::vector<int64_t> taskSteps;
    std::string scale = "logit";
    bool json = false;
    size_t subsample = 0; ///< 0: every row
};

/// What the exact GP holds: an N x N covariance (N = 2,000: 32 MB) factored once, and predictions
/// costing N^2 per query; benchmarked in docs/gp-files.md. More rows need --subsample.
constexpr size_t kMaxObservations = 2000;
/// Hyperparameters are fitted on at most this many rows (a seeded random subset): each fit
/// iteration factors the covariance, and five hundred rows pin a handful of hyperparameters down.
constexpr size_t kMaxFitObservations = 500;
/// Predictions are made this many at a time (the cross-covariance is N x this).
constexpr Eigen::Index kPredictionChunk = 1024;

/// A seeded random `count` of `rows`, in their original order.
std::vector<TrialRecord> seededSubset(const std::vector<TrialRecord>& rows, size_t count, uint64_t seed)
{
    if (count >= rows.size())
        return rows;
    std::vector<size_t> order(rows.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    order.resize(count);
    std::sort(order.begin(), order.end());
    std::vector<TrialRecord> subset;
    for (size_t i : order)
        subset.push_back(rows[i]);
    return subset;
}

MtgpData encodeTrials(const std::vector<TrialRecord>& trials, const Encoding& encoding,
                      const AccuracyTransform& transform)
{
    MtgpData data;
    data.inputs.resize(0, encoding.dim());
    for (const TrialRecord& t : trials)
        data.append(encoding.encode(t.bits), t.task, transform.toLatent(t.accuracy));
    return data;
}

/// Each query's predictive distribution as a new evaluation would measure it (noise included),
/// averaged over `models` as the workbench does (predictiveMixtures).
std::vector<NormalMixture> predictInChunks(const std::vector<MultiTaskGP>& models, const Eigen::MatrixXd& inputs,
                                           const std::vector<int>& tasks)
{
    std::vector<NormalMixture> out;
    for (Eigen::Index start = 0; start < inputs.rows(); start += kPredictionChunk) {
        const Eigen::Index n = std::min(kPredictionChunk, inputs.rows() - start);
        const std::vector<NormalMixture> part =
            predictiveMixtures(models, inputs.middleRows(start, n),
                               std::vector<int>(tasks.begin() + start, tasks.begin() + start + n), true);
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

/// The tasks on the budget axis as a study places them: by `taskSteps` where given, else by the
/// trials' `steps` column; by their indices where neither says every task's steps (with a note on
/// stderr when the file has steps but some task has no rows). ConfigError where the rows disagree
/// with each other or with `taskSteps`.
BudgetAxis taskAxisOf(const std::vector<TrialRecord>& trials, int taskCount, std::vector<int64_t> taskSteps,
                      const std::string& path)
{
    const bool given = !taskSteps.empty();
    std::vector<std::optional<int64_t>> steps(static_cast<size_t>(taskCount));
    for (size_t t = 0; t < taskSteps.size(); ++t)
        steps[t] = taskSteps[t];
    bool fileHasSteps = false;
    for (const TrialRecord& t : trials) {
        if (!t.steps)
            continue;
        fileHasSteps = true;
        std::optional<int64_t>& known = steps[size_t(t.task)];
        if (known && *known != *t.steps)
            throw ConfigError(path + ": task " + std::to_string(t.task) + " has rows with " + std::to_string(*t.steps)
                              + " steps, " + (given ? "--task-steps says " : "others with ") + std::to_string(*known)
                              + "; a task is one fine-tuning budget");
        known = t.steps;
    }
    if (given)
        return budgetAxis(taskSteps);
    taskSteps.clear();
    for (size_t t = 0; t < steps.size(); ++t) {
        if (!steps[t]) {
            if (fileHasSteps)
                std::cerr << "note: task " << t << " has no rows, so its fine-tuning steps are unknown and the "
                          << "tasks are placed by index; --task-steps places them as the study does\n";
            return {};
        }
        taskSteps.push_back(*steps[t]);
    }
    return budgetAxis(taskSteps);
}

/// The number of tasks: the trials' highest index + 1, or all of --task-steps' (a study's tasks,
/// those without trials yet included). ConfigError for an index beyond the trials' count or
/// steps that do not fit.
int taskCountOf(const GpOptions& options, const std::vector<TrialRecord>& trials)
{
    int taskCount = 0;
    for (const TrialRecord& t : trials) {
        // The model has parameters per task: the task count comes from the data present, never
        // from an index alone (task 1000000 in a two-row file would ask for a million tasks).
        if (t.task < 0 || size_t(t.task) >= trials.size())
            throw ConfigError(options.trials + ": task " + std::to_string(t.task) + " with "
                              + std::to_string(trials.size())
                              + " trials; number the tasks 0..T-1 with T at most "
                                "the number of trials");
        taskCount = std::max(taskCount, t.task + 1);
    }
    if (options.taskSteps.empty())
        return taskCount;
    if (int(options.taskSteps.size()) < taskCount)
        throw ConfigError("--task-steps gives " + std::to_string(options.taskSteps.size())
                          + " tasks' steps, the trials use " + std::to_string(taskCount) + " tasks");
    for (int64_t steps : options.taskSteps)
        if (steps < 0)
            throw ConfigError("--task-steps: " + std::to_string(steps) + " is not a number of fine-tuning steps");
    return int(options.taskSteps.size());
}

/// The hyperparameters from --hyperparameters (alone; `taskCount` becomes the file's), or the
/// workbench's fit (StudySurrogate::fitOptions) with its samples.
MtgpFitReport loadOrFit(const GpOptions& options, const std::vector<TrialRecord>& trials, const MtgpData& data,
                        const Encoding& encoding, const AccuracyTransform& transform, int& taskCount)
{
    if (!options.hyperparametersIn.empty()) {
        MtgpFitReport loaded;
        loaded.hyperparameters =
            MtgpHyperparameters::fromJson(readTextFile(options.hyperparametersIn, "hyperparameters file"));
        const MtgpHyperparameters& h = loaded.hyperparameters;
        if (h.inputDim() != encoding.dim())
            throw ConfigError(options.hyperparametersIn + " has " + std::to_string(h.inputDim()) + " lengthscales, the "
                              + encoding.name() + " encoding of these trials needs " + std::to_string(encoding.dim()));
        if (h.taskCount() < taskCount)
            throw ConfigError(options.hyperparametersIn + " has " + std::to_string(h.taskCount())
                              + " tasks, the trials use " + std::to_string(taskCount));
        taskCount = h.taskCount();
        return loaded;
    }
    MtgpFitOptions fit = StudySurrogate::fitOptions(
        options.seed, taskAxisOf(trials, taskCount, options.taskSteps, options.trials), transform);
    fit.kernel = parseKernelKind(options.kernel);
    fit.rank = options.rank;
    fit.restarts = options.restarts;
    fit.posteriorSamples = options.samples;
    if (options.samplesGiven)
        fit.mostPosteriorSamples = 0;
    const MtgpData fitData = trials.size() > kMaxFitObservations
        ? encodeTrials(seededSubset(trials, kMaxFitObservations, options.seed), encoding, transform)
        : data;
    return fitMtgp(fitData, encoding.dim(), taskCount, fit);
}

std::vector<BitConfig> queryConfigs(const GpOptions& options, const std::vector<TrialRecord>& trials)
{
    std::vector<std::string> texts = options.queries;
    if (!options.queryFile.empty()) {
        std::istringstream lines(readTextFile(options.queryFile, "query file"));
        for (std::string line; std::getline(lines, line);)
            if (line.find_first_not_of(" \t\r") != std::string::npos)
                texts.push_back(line);
    }
    const std::vector<std::string> names(trials.front().bits.size(), "layer");
    std::vector<BitConfig> configs;
    for (std::string text : texts) {
        std::replace(text.begin(), text.end(), ' ', ',');
        try {
            configs.push_back(BitConfig::parse(text, names));
        } catch (const ConfigError& e) {
            throw ConfigError("query '" + text + "': " + e.what());
        }
    }
    if (configs.empty()) // default: every configuration observed
        for (const TrialRecord& t : trials)
            if (std::find(configs.begin(), configs.end(), t.bits) == configs.end())
                configs.push_back(t.bits);
    return configs;
}

void run(const GpOptions& options)
{
    const std::vector<TrialRecord> allTrials = readTrialsCsv(options.trials);
    if (options.subsample == 0 && allTrials.size() > kMaxObservations)
        throw ConfigError(options.trials + " has " + std::to_string(allTrials.size())
                          + " rows; the exact GP holds at most " + std::to_string(kMaxObservations)
                          + " (memory and time grow with the square and cube of the "
                            "rows): pass --subsample N (at most "
                          + std::to_string(kMaxObservations) + ") to use a seeded random N of them");
    if (options.subsample > kMaxObservations)
        throw ConfigError("--subsample " + std::to_string(options.subsample) + " is more than the "
                          + std::to_string(kMaxObservations) + " rows the exact GP holds");
    const std::vector<TrialRecord> trials =
        options.subsample > 0 ? seededSubset(allTrials, options.subsample, options.seed) : allTrials;
    const size_t layers = trials.front().bits.size();
    const auto encoding = makeEncoding(options.encoding, layers);

    if (options.scale != "logit" && options.scale != "identity")
        throw ConfigError("--scale must be logit or identity, got '" + options.scale + "'");
    const AccuracyTransform transform(options.scale == "logit" ? AccuracyTransform::Kind::Logit
                                                               : AccuracyTransform::Kind::Identity);
    int taskCount = taskCountOf(options, trials);
    if (options.samples < 0 || options.samples > 64)
        throw ConfigError("--samples must be 0..64, got " + std::to_string(options.samples));
    const MtgpData data = encodeTrials(trials, *encoding, transform);
    const MtgpFitReport fit = loadOrFit(options, trials, data, *encoding, transform, taskCount);
    const MtgpHyperparameters& hyperparameters = fit.hyperparameters;
    if (!options.hyperparametersOut.empty()) {
        std::ofstream out(options.hyperparametersOut);
        out << hyperparameters.toJson() << "\n";
        if (!out)
            throw ConfigError("cannot write " + options.hyperparametersOut);
    }
    const std::vector<MultiTaskGP> models = conditionedModels(fit, data);
    const MultiTaskGP gp = conditionedMapModel(fit, data, models);

    std::vector<int> tasks = options.tasks;
    if (tasks.empty())
        for (int t = 0; t < taskCount; ++t)
            tasks.push_back(t);
    for (int t : tasks)
        if (t < 0 || t >= taskCount)
            throw ConfigError("task " + std::to_string(t) + " is not in 0.." + std::to_string(taskCount - 1));
    const std::vector<BitConfig> configs = queryConfigs(options, trials);
    Eigen::MatrixXd inputs(Eigen::Index(configs.size() * tasks.size()), encoding->dim());
    std::vector<int> queryTasks;
    for (size_t c = 0; c < configs.size(); ++c)
        for (size_t k = 0; k < tasks.size(); ++k) {
            inputs.row(Eigen::Index(c * tasks.size() + k)) = encoding->encode(configs[c]).transpose();
            queryTasks.push_back(tasks[k]);
        }
    const std::vector<NormalMixture> predictive = predictInChunks(models, inputs, queryTasks);
    const Eigen::MatrixXd correlation = hyperparameters.taskCorrelation();

    if (options.json) {
        nlohmann::ordered_json predictions = nlohmann::ordered_json::array();
        for (Eigen::Index i = 0; i < inputs.rows(); ++i) {
            const BitConfig& config = configs[size_t(i) / tasks.size()];
            const NormalMixture& p = predictive[size_t(i)];
            const AccuracyInterval a = transform.interval(p);
            predictions.push_back({{"config", config.toString()},
                                   {"task", queryTasks[size_t(i)]},
                                   {"median", a.median},
                                   {"lower", a.lower},
                                   {"upper", a.upper},
                                   {"latent_mean", p.mean()},
                                   {"latent_sd", std::sqrt(p.variance())},
                                   {"represented", encoding->represents(config)}});
        }
        std::vector<std::vector<double>> rows(size_t(correlation.rows()));
        for (Eigen::Index r = 0; r < correlation.rows(); ++r)
            for (Eigen::Index c = 0; c < correlation.cols(); ++c)
                rows[size_t(r)].push_back(correlation(r, c));
        const nlohmann::ordered_json out = {{"trials", trials.size()},
                                            {"tasks", taskCount},
                                            {"hyperparameter_samples", models.size()},
                                            {"encoding", encoding->name()},
                                            {"log_marginal_likelihood", gp.logMarginalLikelihood()},
                                            {"task_correlation", rows},
                                            {"predictions", predictions}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << "GP on " << trials.size() << " trials over " << taskCount << " tasks (" << encoding->name()
              << " encoding, " << kernelName(hyperparameters.kernel.kind) << " kernel, task rank "
              << hyperparameters.taskFactor.cols() << "), log marginal likelihood " << std::fixed
              << std::setprecision(3) << gp.logMarginalLikelihood()
              << "\npredictions: a new evaluation's median and 95 % "
              << "interval (noise included), averaged over " << models.size() << " hyperparameter "
              << (models.size() == 1 ? "set" : "samples") << "\n\ntask correlation (MAP)\n     ";
    for (int t = 0; t < taskCount; ++t)
        std::cout << std::setw(7) << t;
    std::cout << "\n";
    for (int r = 0; r < taskCount; ++r) {
        std::cout << std::setw(5) << r;
        for (int c = 0; c < taskCount; ++c)
            std::cout << std::setw(7) << correlation(r, c);
        std::cout << "\n";
    }
    std::cout << "\n"
              << std::left << std::setw(std::max<int>(8, int(configs.front().toString().size()) + 2)) << "config"
              << std::right << std::setw(6) << "task" << std::setw(10) << "median" << std::setw(10) << "2.5 %"
              << std::setw(10) << "97.5 %"
              << "\n";
    for (Eigen::Index i = 0; i < inputs.rows(); ++i) {
        const BitConfig& config = configs[size_t(i) / tasks.size()];
        const AccuracyInterval a = transform.interval(predictive[size_t(i)]);
        std::cout << std::left << std::setw(std::max<int>(8, int(config.toString().size()) + 2)) << config.toString()
                  << std::right << std::setw(6) << queryTasks[size_t(i)] << std::setw(10) << a.median << std::setw(10)
                  << a.lower << std::setw(10) << a.upper
                  << (encoding->represents(config) ? "" : "  (off-curve: answered at its projection)") << "\n";
    }
}

} // namespace

void addGpCommand(CLI::App& app)
{
    auto options = std::make_shared<GpOptions>();
    CLI::App* command = app.add_subcommand("gp",
                                           "Fit the workbench's multi-task GP to trials from a CSV file and print "
                                           "predictive medians and 95 % intervals (docs/gp-files.md)");
    command->add_option("--trials", options->trials, "CSV with columns config, task, accuracy")->required();
    command->add_option("--encoding", options->encoding, "per-layer, bezier1, bezier2 or chebyshevD")
        ->capture_default_str();
    command->add_option("--kernel", options->kernel, "matern52 or se")->capture_default_str();
    command->add_option("--rank", options->rank, "rank of the task covariance factor (0: number of tasks)");
    command->add_option("--restarts", options->restarts, "random restarts of the MAP fit")->capture_default_str();
    command->add_option("--seed", options->seed, "seed of the restarts and samples (a study's seed reproduces its fit)")
        ->capture_default_str();
    command
        ->add_option("--samples", options->samples,
                     "hyperparameter samples the predictions average over (default: the workbench's, 8 from 81 "
                     "rows, 16 from 41, 32 up to 40; N: N at every size; 0: the MAP fit alone)")
        ->each([options](const std::string&) { options->samplesGiven = true; });
    command->add_option("--hyperparameters", options->hyperparametersIn,
                        "use these hyperparameters (JSON) instead of fitting");
    command->add_option("--save-hyperparameters", options->hyperparametersOut,
                        "write the hyperparameters used as JSON");
    command->add_option("--query", options->queries,
                        "configuration to predict (repeatable; default: every one in the trials)");
    command->add_option("--query-file", options->queryFile, "file with one configuration per line");
    command->add_option("--task", options->tasks, "task to predict (repeatable; default: every task)");
    command
        ->add_option("--task-steps", options->taskSteps,
                     "every task's fine-tuning steps, in task order, e.g. 0,50,150,600 (default: the file's "
                     "steps column): places the tasks on the budget axis as a study does")
        ->delimiter(',');
    command->add_option("--subsample", options->subsample,
                        "use a seeded random N of the rows (needed above " + std::to_string(kMaxObservations) + ")");
    command
        ->add_option("--scale", options->scale,
                     "logit: model logit(accuracy / 100), predictions stay in [0, 100] (hyperparameter files are "
                     "on that scale); identity: model the values as they are")
        ->capture_default_str();
    command->add_flag("--json", options->json, "print the result as JSON");
    command->callback([options] { run(*options); });
}

} // namespace quantscope::cli
