// How honest is the GP posterior on real evaluations? Replays recorded evaluations of the shipped
// model (record_evaluations) in a search-like order: the study's initial design first (space-
// filling on the cheapest task, both ends, two target-task trials), then the rest with a NUQ-like
// task mix (40 % quantize only, 20 % each other budget). At each training size it predicts every
// held-out evaluation and reports per task: RMSE and mean |error| of the predictive median,
// coverage of the nominal 95 % predictive interval (noise included), mean log predictive density
// (in accuracy units) and predictions outside [0, 100], pooled over replicate orders; then the same
// per task by how many trials the task itself has in the training set (0, 1, 2-4, 5-9, 10+); then
// the spread of the coverage over the replicate orders, with the standard error of its mean. Models:
//   ml2-identity:     the fit before issue 11 (ML-II, ICM, accuracies as they are);
//   map-logit:        MAP under MtgpPrior on logit(accuracy / 100), ICM;
//   sampled-logit:    map-logit averaged over hyperparameter samples up to StudySurrogate's limit;
//   single-task:      sampled-logit on the target task's evaluations alone;
//   lmc-logit:        sampled-logit with the task-specific kernel (what StudySurrogate, and so the
//                     workbench and the search, use);
//   warped-logit:     sampled-logit with Kumaraswamy input warping;
//   lmc-warped-logit: both;
//   lmc-pooled:       lmc-logit with every task's prior range the pooled one (before 2026-12-03);
//   lmc-lowest:       lmc-logit with one more input, the lowest layer width (tried for quantize
//                     only's cliff, not adopted: docs/calibration.md);
//   lmc-power:        lmc-logit with one more input, the quantization-noise power (below);
//   lmc-laplace:      lmc-logit with samples from a Laplace approximation beyond sample-up-to
//                     (the model StudySurrogate fits);
//   lmc-own-ranges:   lmc-laplace with every task's range from its own trials (before the paired
//                     ranges of 2026-12-03; MtgpFitOptions::taskScalesFromPairs);
//   lmc-data-means:   lmc-laplace with a budget without trials centred on its neighbours' data
//                     means instead of their fitted means (before 2026-12-03's fitted means);
//   lmc-axis-ranges:  lmc-laplace with a budget without a range of its own given one log-linear
//                     along the budget axis between quantize only's and the fine-tuned budgets'
//                     (before 2026-12-03's last change; MtgpFitOptions::rangesFromGroup);
//   lmc-trend:        lmc-logit on the fine-tuned budgets' accuracies less a linear trend in the
//                     noise power, fitted per budget by least squares on the training trials and
//                     added back to the predictions (an experiment: the trend's own uncertainty
//                     is left out; docs/calibration.md).
// The quantization-noise power of a configuration is the mean over layers of 4^-(bits - 1) (weights
// and activations averaged): a uniform quantizer's error variance falls 4-fold per bit, and to first
// order a network's loss adds the layers' errors (1 for 1 bit, 1/4 for 2, ~0 from 4 bits on).
// GP_CALIBRATION_MODELS=name,name,... runs a subset; GP_CALIBRATION_NOISE_SHARE=0.025 sets
// MtgpFitOptions::noiseShareOfTaskVariance; GP_CALIBRATION_NOISE_SD=0.15 sets the prior
// median of every task's noise sd (logit units; accuracyFitOptions' default is 0.05).
// GP_CALIBRATION_TASK_SCALE=0.25 sets MtgpFitOptions::minimumTaskScale (logit units).
// GP_CALIBRATION_SAMPLES=16 draws that many hyperparameter samples in the sampled models at every
// size (default StudySurrogate's: 8 from 81 observations, 16 from 41, 32 up to 40; 0: the MAP
// point alone).
// GP_CALIBRATION_MAX_OBSERVATIONS=40 stops at that training size (quick experiments at the small sizes).
// GP_CALIBRATION_TASK_MIX=0.6,0,0,0.4 replaces the NUQ-like task mix after the initial design (a
// budget at 0 is never trained on, only predicted: a search that skips the middle budgets).
// GP_CALIBRATION_INITIAL_TARGET=0 plans the design with that many target-task trials (default 2, as a
// study's initial_target).
// GP_CALIBRATION_SIMULATE=1 replays a family of simulated studies instead of the recording: every
// replicate draws the accuracies, at the recorded configurations and tasks, from the GP (lmc-logit,
// MAP) fitted to the whole recording, so that the model is exactly right and one study's coverage
// can be seen as one draw (the spread table is then over the simulated studies; docs/calibration.md,
// "What one study can show").
//
// Usage: gp_calibration EVALUATIONS.csv ENCODING [replicates] [OUT.csv] [sample-up-to]
// (sample-up-to: most observations at which the sampled models still sample; default StudySurrogate's)
// ENCODING is bezier2 (only the configurations the curve family represents) or per-layer.
#include "benchmark_main.h"
#include "gp/accuracy_transform.h"
#include "gp/mtgp_fit.h"
#include "gp/multitask_gp.h"
#include "search/encoding.h"
#include "search/initial_design.h"
#include "search/trial_csv.h"
#include "study/study_surrogate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace quantscope;

namespace {

constexpr int kTasks = 4;
constexpr int kTarget = kTasks - 1;
/// After the initial design, each training row's task is drawn with these weights (GP_CALIBRATION_TASK_MIX).
std::vector<double> taskMix()
{
    std::vector<double> mix = {0.4, 0.2, 0.2, 0.2};
    if (const char* text = std::getenv("GP_CALIBRATION_TASK_MIX")) {
        std::sscanf(text, "%lf,%lf,%lf,%lf", &mix[0], &mix[1], &mix[2], &mix[3]);
    }
    return mix;
}
/// The recording's budgets (0, 50, 150, 600 steps) as StudySpec::taskPositions places them.
const std::vector<double> kTaskPositions = {0.0, std::log(51.0), std::log(151.0), std::log(601.0)};
/// ... and as StudySpec::taskGroups groups them: quantization alone, then the fine-tuned budgets.
const std::vector<int> kTaskGroups = {0, 1, 1, 1};

struct Model {
    std::string name;
    AccuracyTransform transform;
    bool usePriors = true;
    bool singleTask = false;
    int samples = 0; ///< hyperparameter samples averaged over (up to 40 observations)
    bool inputWarping = false;
    bool specificKernel = false;
    bool lowestBits = false;      ///< one more input: the lowest layer width, (bits - 1) / 7
    bool noisePowerInput = false; ///< one more input: the quantization-noise power
    bool noisePowerTrend = false; ///< the fine-tuned budgets less a least-squares trend in it
    /// Summarise the samples' mixture by one normal with its moments (the views before
    /// 2026-12-02) instead of the mixture's own quantiles and density.
    bool momentMatched = false;
    /// Every task's prior range the pooled one (before 2026-12-03) instead of its own
    /// (MtgpFitOptions::taskScalesFromData).
    bool pooledTasks = false;
    /// A task without its own range or mean takes them from its nearest observed neighbours on the
    /// budget axis, quantization alone included (before task groups, MtgpFitOptions::taskGroups).
    bool ungroupedTasks = false;
    bool laplace = false; ///< beyond sample-up-to, samples from a Laplace approximation (MtgpFitOptions)
    /// A task with few trials takes its range from the configurations it shares with quantize
    /// only (MtgpFitOptions::taskScalesFromPairs; off: from its own trials, before the paired ranges of 2026-12-03).
    bool pairedScales = true;
    /// A budget without trials centred on its neighbours' data means (MtgpFitOptions::unobservedMeansFromFit off).
    bool dataMeans = false;
    /// A budget without a range of its own takes one along the budget axis across groups
    /// (MtgpFitOptions::rangesFromGroup off).
    bool axisRanges = false;
};

struct Tally {
    int count = 0;
    double squared = 0, absolute = 0, inside = 0, logDensity = 0, outOfRange = 0, width = 0;
    std::map<int, std::pair<int, int>> studies; ///< replicate -> (inside, count): one study's coverage

    void add(int replicate, double measured, const AccuracyInterval& a, double predictiveLogDensity)
    {
        const bool within = measured >= a.lower && measured <= a.upper;
        auto& study = studies[replicate];
        study.first += within;
        ++study.second;
        ++count;
        const double error = a.median - measured;
        squared += error * error;
        absolute += std::abs(error);
        inside += within;
        logDensity += predictiveLogDensity;
        outOfRange += a.lower < 0 || a.upper > 100;
        width += a.upper - a.lower;
    }
};

/// Buckets of a task's own training trials for the coverage-by-trials table: 0, 1, 2-4, 5-9, 10+.
constexpr const char* kOwnTrialsBuckets[] = {"0", "1", "2-4", "5-9", "10+"};
int ownTrialsBucket(int count)
{
    return count == 0 ? 0 : count == 1 ? 1 : count < 5 ? 2 : count < 10 ? 3 : 4;
}

double quantizationNoisePower(const BitConfig& config)
{
    double sum = 0;
    for (const LayerBits& l : config.layers())
        if (!l.isFloat())
            sum += 0.5 * (std::pow(4.0, 1 - l.weight) + std::pow(4.0, 1 - l.activation));
    return sum / double(config.size());
}

/// Least-squares slopes of each fine-tuned task's targets (kTaskGroups 1) in `feature` over its
/// training observations; one with fewer than two distinct feature values takes the slope of the
/// nearest fine-tuned task on the budget axis that has one; quantization alone keeps 0.
std::vector<double> trendSlopes(const MtgpData& data, const std::vector<double>& feature)
{
    const auto fineTuned = [](int t) { return kTaskGroups[size_t(t)] != 0; };
    std::vector<double> slope(size_t(kTasks), std::nan(""));
    for (int t = 0; t < kTasks; ++t) {
        if (!fineTuned(t))
            continue;
        double sg = 0, sy = 0, sgg = 0, sgy = 0, count = 0;
        for (Eigen::Index j = 0; j < data.size(); ++j)
            if (data.tasks[size_t(j)] == t) {
                const double g = feature[size_t(j)], y = data.targets[j];
                sg += g, sy += y, sgg += g * g, sgy += g * y, count += 1;
            }
        if (count >= 2 && sgg - sg * sg / count > 1e-9)
            slope[size_t(t)] = (sgy - sg * sy / count) / (sgg - sg * sg / count);
    }
    std::vector<double> filled(size_t(kTasks), 0.0);
    for (int t = 0; t < kTasks; ++t) {
        if (!fineTuned(t))
            continue;
        double best = std::numeric_limits<double>::infinity();
        for (int u = 0; u < kTasks; ++u)
            if (!std::isnan(slope[size_t(u)])
                && std::abs(kTaskPositions[size_t(u)] - kTaskPositions[size_t(t)]) < best) {
                best = std::abs(kTaskPositions[size_t(u)] - kTaskPositions[size_t(t)]);
                filled[size_t(t)] = slope[size_t(u)];
            }
    }
    return filled;
}

/// Every row of the recording at its encoded input (row r of `inputs`), on the logit scale.
MtgpData logitData(const std::vector<TrialRecord>& rows, const Eigen::MatrixXd& inputs)
{
    const AccuracyTransform logit(AccuracyTransform::Kind::Logit);
    MtgpData data;
    data.inputs.resize(0, inputs.cols());
    for (size_t r = 0; r < rows.size(); ++r)
        data.append(inputs.row(Eigen::Index(r)).transpose(), rows[r].task, logit.toLatent(rows[r].accuracy));
    return data;
}

/// GP_CALIBRATION_SIMULATE: the hyperparameters a family of simulated studies is drawn from, the
/// MAP fit of `lmc-logit` (no samples) on every row of the recording.
MtgpHyperparameters simulationTruth(const std::vector<TrialRecord>& rows, const Eigen::MatrixXd& inputs)
{
    const MtgpData data = logitData(rows, inputs);
    MtgpFitOptions fit = accuracyFitOptions(AccuracyTransform(AccuracyTransform::Kind::Logit));
    fit.specificKernel = true;
    fit.restarts = 2;
    fit.taskPositions = kTaskPositions;
    fit.taskGroups = kTaskGroups;
    return fitMtgp(data, int(inputs.cols()), kTasks, fit).hyperparameters;
}

/// One simulated study: the rows' accuracies replaced by a draw, at the same configurations and
/// tasks, from the GP with hyperparameters `truth` (latent values shared by repeated
/// configurations, each evaluation with its task's noise), mapped back to percent.
void drawStudy(std::vector<TrialRecord>& rows, const Eigen::MatrixXd& inputs, const MtgpHyperparameters& truth,
               const AccuracyTransform& transform, uint64_t seed)
{
    std::vector<int> tasks;
    for (const TrialRecord& r : rows)
        tasks.push_back(r.task);
    const MultiTaskGP prior(truth);
    const Eigen::MatrixXd lower = choleskyWithJitter(prior.priorCovariance(inputs, tasks, inputs, tasks));
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    Eigen::VectorXd z(Eigen::Index(rows.size())), noise(Eigen::Index(rows.size()));
    for (Eigen::Index i = 0; i < z.size(); ++i) {
        z[i] = normal(rng);
        noise[i] = normal(rng) * std::sqrt(truth.noiseVariance[tasks[size_t(i)]]);
    }
    const Eigen::VectorXd latent = lower * z + noise;
    for (size_t r = 0; r < rows.size(); ++r)
        rows[r].accuracy = transform.toAccuracy(truth.taskMean[tasks[r]] + latent[Eigen::Index(r)]);
}

/// Replicate `seed`'s order of the rows: the initial design, then the NUQ-like task mix.
std::vector<size_t> searchOrder(const std::vector<TrialRecord>& rows, const Eigen::MatrixXd& inputs, int designCheap,
                                uint64_t seed)
{
    // The design draws from the configurations measured on every task (where the target is).
    std::map<std::string, std::vector<size_t>> rowsOf; // config -> row per task (-1 if none)
    for (size_t r = 0; r < rows.size(); ++r) {
        auto& slots = rowsOf[rows[r].bits.toString()];
        slots.resize(kTasks, size_t(-1));
        if (slots[size_t(rows[r].task)] == size_t(-1))
            slots[size_t(rows[r].task)] = r;
    }
    std::mt19937_64 rng(seed);
    std::vector<size_t> complete;
    for (const auto& [config, slots] : rowsOf)
        if (std::none_of(slots.begin(), slots.end(), [](size_t r) { return r == size_t(-1); }))
            complete.push_back(slots[0]);
    const char* target = std::getenv("GP_CALIBRATION_INITIAL_TARGET"); // the study setting initial_target
    int designTarget = target ? std::atoi(target) : 2;
    if (complete.size() < size_t(designCheap)) { // a partial recording: design the cheap task alone
        complete.clear();
        for (const auto& [config, slots] : rowsOf)
            if (slots[0] != size_t(-1))
                complete.push_back(slots[0]);
        designTarget = 0;
    }
    std::shuffle(complete.begin(), complete.end(), rng); // ties in the design break differently per replicate
    Eigen::MatrixXd designInputs(Eigen::Index(complete.size()), inputs.cols());
    std::vector<double> sums;
    for (size_t i = 0; i < complete.size(); ++i) {
        designInputs.row(Eigen::Index(i)) = inputs.row(Eigen::Index(complete[i]));
        sums.push_back(bitSum(rows[complete[i]].bits));
    }
    std::vector<size_t> order;
    std::vector<char> used(rows.size(), 0);
    for (const auto& [c, task] :
         planInitialDesign(designInputs, sums, {{0, designCheap}, {kTarget, designTarget}}, kTasks)) {
        const size_t r = rowsOf[rows[complete[c]].bits.toString()][size_t(task)];
        order.push_back(r);
        used[r] = 1;
    }
    std::vector<std::vector<size_t>> remaining(kTasks);
    for (size_t r = 0; r < rows.size(); ++r)
        if (!used[r])
            remaining[size_t(rows[r].task)].push_back(r);
    for (auto& list : remaining)
        std::shuffle(list.begin(), list.end(), rng);
    std::uniform_real_distribution<double> unit(0, 1);
    const std::vector<double> mix = taskMix();
    while (true) {
        double total = 0;
        for (int t = 0; t < kTasks; ++t)
            total += remaining[size_t(t)].empty() ? 0 : mix[size_t(t)];
        if (total == 0)
            break;
        double pick = unit(rng) * total;
        int task = 0;
        for (; task < kTasks - 1; ++task) {
            if (remaining[size_t(task)].empty())
                continue;
            if (pick < mix[size_t(task)])
                break;
            pick -= mix[size_t(task)];
        }
        while (remaining[size_t(task)].empty())
            --task;
        order.push_back(remaining[size_t(task)].back());
        remaining[size_t(task)].pop_back();
    }
    return order;
}

/// The seed-to-seed sd of the recording's repeated evaluations per task, in logit units: what the
/// noise priors meet.
void printRepeatSpread(const std::vector<TrialRecord>& rows, const Eigen::MatrixXd& inputs)
{
    const Eigen::VectorXd variance = logitData(rows, inputs).repeatVariance(kTasks);
    std::printf("Seed-to-seed sd of repeated evaluations (logit units), per task: %.4f / %.4f / %.4f / %.4f\n\n",
                std::sqrt(variance[0]), std::sqrt(variance[1]), std::sqrt(variance[2]), std::sqrt(variance[3]));
}

/// One study's coverage varies with its order of trials (a replicate order, or a simulated study):
/// per model, size and task, the spread of the coverage over them, and the standard error of their
/// mean, which says how far the pooled coverage of the table by size may lie from the model's own.
void printStudySpread(const std::vector<Model>& models, const std::vector<size_t>& sizes,
                      const std::map<std::tuple<size_t, size_t, int>, Tally>& tallies, int replicates, bool simulated)
{
    std::printf("\nCoverage of the 95 %% interval per %s (%d):\n\n", simulated ? "simulated study" : "replicate order",
                replicates);
    std::printf("| model | obs. | task | mean | its standard error | 10 %% | median | 90 %% | %s in 88-99 %% |\n",
                simulated ? "studies" : "orders");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& [key, tally] : tallies) {
        const auto& [m, s, task] = key;
        std::vector<double> coverage;
        for (const auto& [replicate, study] : tally.studies)
            coverage.push_back(double(study.first) / study.second);
        if (coverage.size() < 2)
            continue;
        std::sort(coverage.begin(), coverage.end());
        const auto quantile = [&](double q) { return coverage[size_t(q * double(coverage.size() - 1) + 0.5)]; };
        const auto n = double(coverage.size());
        double mean = 0, squares = 0;
        int inBand = 0;
        for (double c : coverage) {
            mean += c / n;
            inBand += c >= 0.88 && c <= 0.99;
        }
        for (double c : coverage)
            squares += (c - mean) * (c - mean);
        const double standardError = std::sqrt(squares / (n - 1) / n);
        std::printf("| %s | %zu | %d | %.1f %% | %.1f | %.1f %% | %.1f %% | %.1f %% | %d of %zu |\n",
                    models[m].name.c_str(), sizes[s], task, 100 * mean, 100 * standardError, 100 * quantile(0.1),
                    100 * quantile(0.5), 100 * quantile(0.9), inBand, coverage.size());
    }
}

int calibrate(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr,
                     "usage: gp_calibration EVALUATIONS.csv bezier2|per-layer [replicates] [OUT.csv] [sample-up-to]\n");
        return 2;
    }
    const std::vector<TrialRecord> all = readTrialsCsv(argv[1]);
    const auto encoding = makeEncoding(argv[2], all.front().bits.size());
    const int replicates = argc > 3 ? std::atoi(argv[3]) : 3;
    const int sampleUpTo = argc > 5 ? std::atoi(argv[5]) : StudySurrogate::kSampleUpTo;
    std::vector<TrialRecord> rows;
    for (const TrialRecord& r : all)
        if (encoding->represents(r.bits))
            rows.push_back(r);
    Eigen::MatrixXd inputs(Eigen::Index(rows.size()), encoding->dim());
    Eigen::MatrixXd augmented(Eigen::Index(rows.size()), encoding->dim() + 1);
    Eigen::MatrixXd withPower(Eigen::Index(rows.size()), encoding->dim() + 1);
    std::vector<double> noisePower;
    int perTask[kTasks] = {};
    for (size_t r = 0; r < rows.size(); ++r) {
        inputs.row(Eigen::Index(r)) = encoding->encode(rows[r].bits).transpose();
        double lowest = 8;
        for (const LayerBits& l : rows[r].bits.layers())
            lowest = std::min(lowest, entryBits(l));
        augmented.row(Eigen::Index(r)) << inputs.row(Eigen::Index(r)), (lowest - 1) / 7;
        noisePower.push_back(quantizationNoisePower(rows[r].bits));
        withPower.row(Eigen::Index(r)) << inputs.row(Eigen::Index(r)), noisePower.back();
        ++perTask[rows[r].task];
    }
    std::printf("%zu of %zu recorded evaluations (%s encoding): %d / %d / %d / %d per task, %d replicate orders\n\n",
                rows.size(), all.size(), encoding->name().c_str(), perTask[0], perTask[1], perTask[2], perTask[3],
                replicates);

    printRepeatSpread(rows, inputs);
    const char* simulate = std::getenv("GP_CALIBRATION_SIMULATE");
    MtgpHyperparameters truth;
    if (simulate) {
        truth = simulationTruth(rows, inputs);
        std::printf(
            "Simulated studies: every replicate draws the accuracies from the GP fitted to the recording:\n%s\n\n",
            truth.toJson().c_str());
    }

    std::vector<Model> models = {
        {"ml2-identity", AccuracyTransform(AccuracyTransform::Kind::Identity), false, false, 0},
        {"map-logit", AccuracyTransform(AccuracyTransform::Kind::Logit), true, false, 0},
        {"sampled-logit", AccuracyTransform(AccuracyTransform::Kind::Logit), true, false,
         StudySurrogate::kHyperparameterSamples},
        {"single-task", AccuracyTransform(AccuracyTransform::Kind::Logit), true, true,
         StudySurrogate::kHyperparameterSamples},
        {"warped-logit", AccuracyTransform(AccuracyTransform::Kind::Logit), true, false,
         StudySurrogate::kHyperparameterSamples, true},
        {"lmc-logit", AccuracyTransform(AccuracyTransform::Kind::Logit), true, false,
         StudySurrogate::kHyperparameterSamples, false, true},
        {"lmc-warped-logit", AccuracyTransform(AccuracyTransform::Kind::Logit), true, false,
         StudySurrogate::kHyperparameterSamples, true, true},
        {"lmc-lowest", AccuracyTransform(AccuracyTransform::Kind::Logit), true, false,
         StudySurrogate::kHyperparameterSamples, false, true, true},
        {"lmc-moments", AccuracyTransform(AccuracyTransform::Kind::Logit), true, false,
         StudySurrogate::kHyperparameterSamples, false, true, false, true},
        {"lmc-pooled", AccuracyTransform(AccuracyTransform::Kind::Logit), true, false,
         StudySurrogate::kHyperparameterSamples, false, true, false, false, true, true},
        {"lmc-ungrouped", AccuracyTransform(AccuracyTransform::Kind::Logit), true, false,
         StudySurrogate::kHyperparameterSamples, false, true, false, false, false, true},
    };
    const auto variant = [&](const std::string& base, const std::string& name, auto change) {
        Model m = *std::find_if(models.begin(), models.end(), [&](const Model& b) { return b.name == base; });
        m.name = name;
        change(m);
        models.push_back(m);
    };
    variant("lmc-logit", "lmc-power", [](Model& m) { m.noisePowerInput = true; });
    variant("lmc-logit", "lmc-trend", [](Model& m) { m.noisePowerTrend = true; });
    variant("lmc-logit", "lmc-laplace", [](Model& m) { m.laplace = true; });
    variant("lmc-laplace", "lmc-own-ranges", [](Model& m) { m.pairedScales = false; });
    variant("lmc-laplace", "lmc-data-means", [](Model& m) { m.dataMeans = true; });
    variant("lmc-laplace", "lmc-axis-ranges", [](Model& m) { m.axisRanges = true; });
    if (const char* only = std::getenv("GP_CALIBRATION_MODELS")) { // a comma-separated subset
        const std::string wanted = std::string(",") + only + ",";
        models.erase(
            std::remove_if(models.begin(), models.end(),
                           [&](const Model& m) { return wanted.find("," + m.name + ",") == std::string::npos; }),
            models.end());
    }
    std::vector<size_t> sizes;
    const char* maxObservations = std::getenv("GP_CALIBRATION_MAX_OBSERVATIONS");
    for (size_t n = 5; n < rows.size() && (!maxObservations || n <= size_t(std::atoi(maxObservations))); n *= 2)
        sizes.push_back(n);
    const int designCheap = encoding->dim() + 3;

    std::map<std::tuple<size_t, size_t, int>, Tally> tallies; // (model, size, task)
    // (model, task, the task's own training trials, bucketed): pooled over sizes and orders
    std::map<std::tuple<size_t, int, int>, Tally> byOwnTrials;
    std::map<std::pair<size_t, size_t>, double> targetTrainCounts;
    std::map<std::pair<size_t, size_t>, double> fitSeconds; // mean over replicates (MAP and samples)
    for (int replicate = 0; replicate < replicates; ++replicate) {
        const std::vector<size_t> order = searchOrder(rows, inputs, designCheap, uint64_t(replicate));
        if (simulate)
            drawStudy(rows, inputs, truth, AccuracyTransform(AccuracyTransform::Kind::Logit),
                      uint64_t(replicate) + 1000);
        for (size_t s = 0; s < sizes.size(); ++s) {
            const size_t n = sizes[s];
            std::vector<char> training(rows.size(), 0);
            const size_t trained = std::min(n, order.size()); // a task mix with zeros orders fewer rows
            std::vector<int> ownTrials(size_t(kTasks), 0);
            for (size_t i = 0; i < trained; ++i) {
                training[order[i]] = 1;
                ++ownTrials[size_t(rows[order[i]].task)];
            }
            for (size_t m = 0; m < models.size(); ++m) {
                const Model& model = models[m];
                const Eigen::MatrixXd& x = model.lowestBits ? augmented : model.noisePowerInput ? withPower : inputs;
                MtgpData data;
                data.inputs.resize(0, x.cols());
                std::vector<double> trainPower;
                for (size_t r = 0; r < rows.size(); ++r)
                    if (training[r] && (!model.singleTask || rows[r].task == kTarget)) {
                        data.append(x.row(Eigen::Index(r)).transpose(), model.singleTask ? 0 : rows[r].task,
                                    model.transform.toLatent(rows[r].accuracy));
                        trainPower.push_back(noisePower[r]);
                    }
                std::vector<double> slope(size_t(kTasks), 0.0);
                if (model.noisePowerTrend) {
                    slope = trendSlopes(data, trainPower);
                    for (Eigen::Index j = 0; j < data.size(); ++j)
                        data.targets[j] -= slope[size_t(data.tasks[size_t(j)])] * trainPower[size_t(j)];
                }
                targetTrainCounts[{m, s}] += double(std::count_if(order.begin(), order.begin() + long(trained),
                                                                  [&](size_t r) { return rows[r].task == kTarget; }))
                    / replicates;
                if (data.size() < 2)
                    continue;
                const int tasks = model.singleTask ? 1 : kTasks;
                MtgpFitOptions fit = model.usePriors ? accuracyFitOptions(model.transform) : MtgpFitOptions{};
                fit.usePriors = model.usePriors;
                fit.floorFromRepeats = model.usePriors; // the old fit had no floor
                fit.restarts = 2;
                fit.seed = uint64_t(replicate);
                fit.posteriorSamples = model.samples;
                fit.mostPosteriorSamples = StudySurrogate::kMostHyperparameterSamples; // as a study draws them
                if (const char* count = std::getenv("GP_CALIBRATION_SAMPLES"); count && model.samples > 0) {
                    fit.posteriorSamples = std::atoi(count); // how many the sampled models draw, at every size
                    fit.mostPosteriorSamples = 0;
                }
                fit.specificKernel = model.specificKernel; // the models as named, whatever the default
                fit.sampleUpTo = sampleUpTo;
                fit.inputWarping = model.inputWarping;
                fit.laplaceBeyondSampling = model.laplace;
                if (model.usePriors)
                    fit.taskScalesFromPairs = model.pairedScales;
                fit.unobservedMeansFromFit = !model.dataMeans;
                fit.rangesFromGroup = !model.axisRanges;
                if (const char* sd = std::getenv("GP_CALIBRATION_NOISE_SD"); sd && model.usePriors)
                    fit.expectedNoise = std::pow(std::atof(sd), 2); // the noise prior's median, logit units
                if (const char* share = std::getenv("GP_CALIBRATION_NOISE_SHARE"); share && model.usePriors)
                    fit.noiseShareOfTaskVariance = std::atof(share);
                if (model.pooledTasks)
                    fit.taskScalesFromData = false;
                if (const char* scale = std::getenv("GP_CALIBRATION_TASK_SCALE"); scale && model.usePriors)
                    fit.minimumTaskScale = std::atof(scale); // logit units
                fit.taskPositions = kTaskPositions;
                if (!model.ungroupedTasks)
                    fit.taskGroups = kTaskGroups;
                const MtgpFitReport report = fitMtgp(data, int(x.cols()), tasks, fit);
                fitSeconds[{m, s}] += report.seconds / replicates;
                const std::vector<MultiTaskGP> gps = conditionedModels(report, data);
                std::vector<size_t> held;
                std::vector<int> heldTasks;
                for (size_t r = 0; r < rows.size(); ++r)
                    if (!training[r] && (!model.singleTask || rows[r].task == kTarget)) {
                        held.push_back(r);
                        heldTasks.push_back(model.singleTask ? 0 : rows[r].task);
                    }
                std::vector<NormalMixture> predictive = predictiveMixtures(gps, x(held, Eigen::all), heldTasks, true);
                if (model.momentMatched)
                    for (NormalMixture& p : predictive)
                        p = NormalMixture::single(p.mean(), p.variance());
                if (model.noisePowerTrend) // the trend back
                    for (size_t i = 0; i < held.size(); ++i)
                        predictive[i] = predictive[i].shifted(slope[size_t(heldTasks[i])] * noisePower[held[i]]);
                for (size_t i = 0; i < held.size(); ++i) {
                    const TrialRecord& row = rows[held[i]];
                    const AccuracyInterval a = model.transform.interval(predictive[i]);
                    const double logDensity = model.transform.logDensity(row.accuracy, predictive[i]);
                    tallies[{m, s, row.task}].add(replicate, row.accuracy, a, logDensity);
                    byOwnTrials[{m, row.task, ownTrialsBucket(ownTrials[size_t(row.task)])}].add(
                        replicate, row.accuracy, a, logDensity);
                }
            }
            std::fprintf(stderr, "replicate %d, %zu observations done\n", replicate, n);
        }
    }

    std::FILE* csv = argc > 4 && std::string(argv[4]) != "-" ? std::fopen(argv[4], "w") : nullptr;
    if (csv)
        std::fprintf(csv,
                     "encoding,model,observations,target_observations,task,predictions,rmse,mae,coverage95,mlpd,"
                     "outside_0_100,fit_seconds,interval_width\n");
    std::printf(
        "| model | obs. | target obs. | task | held out | RMSE | mean abs. | 95 %% coverage | 95 %% width | MLPD | "
        "outside [0, 100] | fit s |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t m = 0; m < models.size(); ++m)
        for (size_t s = 0; s < sizes.size(); ++s)
            for (int task = 0; task < kTasks; ++task) {
                const auto found = tallies.find({m, s, task});
                if (found == tallies.end() || found->second.count == 0)
                    continue;
                const Tally& t = found->second;
                const double c = t.count;
                std::printf("| %s | %zu | %.1f | %d | %d | %.2f | %.2f | %.1f %% | %.2f | %.2f | %.0f | %.2f |\n",
                            models[m].name.c_str(), sizes[s], targetTrainCounts[{m, s}], task, t.count,
                            std::sqrt(t.squared / c), t.absolute / c, 100 * t.inside / c, t.width / c, t.logDensity / c,
                            t.outOfRange, fitSeconds[{m, s}]);
                if (csv)
                    std::fprintf(csv, "%s,%s,%zu,%.1f,%d,%d,%.4f,%.4f,%.4f,%.4f,%.0f,%.3f,%.4f\n",
                                 encoding->name().c_str(), models[m].name.c_str(), sizes[s], targetTrainCounts[{m, s}],
                                 task, t.count, std::sqrt(t.squared / c), t.absolute / c, t.inside / c,
                                 t.logDensity / c, t.outOfRange, fitSeconds[{m, s}], t.width / c);
            }
    if (csv)
        std::fclose(csv);
    // Where the misses and the excess width lie: by how many trials the predicted task has itself.
    std::printf("\nBy the predicted task's own training trials (pooled over sizes and orders):\n\n"
                "| model | task | own trials | held out | RMSE | 95 %% coverage | 95 %% width | MLPD |\n"
                "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& [key, t] : byOwnTrials) {
        const auto& [m, task, bucket] = key;
        std::printf("| %s | %d | %s | %d | %.2f | %.1f %% | %.2f | %.2f |\n", models[m].name.c_str(), task,
                    kOwnTrialsBuckets[bucket], t.count, std::sqrt(t.squared / t.count), 100 * t.inside / t.count,
                    t.width / t.count, t.logDensity / t.count);
    }
    printStudySpread(models, sizes, tallies, replicates, simulate != nullptr);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    return runReportingErrors("gp_calibration", calibrate, argc, argv);
}
