// study pareto, study export and study sensitivity: the subcommands that read a study.
#include "cli_context.h"
#include "study_options.h"

#include "bitserial/latency_table.h"
#include "common/error.h"
#include "search/encoding.h"
#include "search/pareto.h"
#include "study/ebs_sweep.h"
#include "study/study_export.h"
#include "study/study_results.h"
#include "study/study_store.h"
#include "study/study_assets.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace quantscope::cli {
namespace {

/// A configuration's bit-serial latency in ms per image (`study pareto --latency`); empty: none.
using LatencyOf = std::function<double(const BitConfig&)>;

nlohmann::ordered_json pointJson(const ResultPoint& p, const LatencyOf& latencyOf)
{
    nlohmann::ordered_json j = {
        {"config", p.bits.toString()}, {"memory_mb", p.memoryMB}, {"bops", p.bops},
        {"accuracy", p.accuracy},      {"observed", p.observed},  {"effective_accuracy", p.effectiveAccuracy}};
    if (p.predicted)
        j["predicted"] = *p.predicted;
    if (p.sd)
        j["sd"] = *p.sd;
    if (p.lower && p.upper) {
        j["lower"] = *p.lower;
        j["upper"] = *p.upper;
    }
    if (latencyOf)
        j["latency_ms"] = latencyOf(p.bits);
    return j;
}

void printPoints(const std::string& title, const std::vector<ResultPoint>& points, const LatencyOf& latencyOf)
{
    std::cout << title << "\n";
    if (points.empty()) {
        std::cout << "  (none yet)\n\n";
        return;
    }
    size_t width = 8;
    for (const ResultPoint& p : points)
        width = std::max(width, p.bits.toString().size() + 2);
    std::cout << "  " << std::left << std::setw(int(width)) << "config" << std::right << std::setw(10) << "MB"
              << std::setw(10) << "GBOPs" << std::setw(10) << "top-1" << std::setw(24) << "predicted [95 %]"
              << std::setw(10) << "E" << (latencyOf ? "    ms/img" : "") << "\n";
    for (const ResultPoint& p : points) {
        std::ostringstream predicted;
        if (p.predicted)
            predicted << std::fixed << std::setprecision(2) << *p.predicted << " [" << p.lower.value_or(0) << ", "
                      << p.upper.value_or(0) << "]";
        std::cout << "  " << std::left << std::setw(int(width)) << p.bits.toString() << std::right << std::fixed
                  << std::setprecision(4) << std::setw(10) << p.memoryMB << std::setprecision(3) << std::setw(10)
                  << p.bops / 1e9 << std::setprecision(2) << std::setw(9) << p.accuracy << (p.observed ? " " : "*")
                  << std::setw(24) << predicted.str() << std::setw(10) << p.effectiveAccuracy;
        if (latencyOf)
            std::cout << std::setprecision(4) << std::setw(10) << latencyOf(p.bits);
        std::cout << "\n";
    }
    std::cout << "\n";
}

/// The target-task accuracy of trial `id`, when it is done.
std::optional<double> trialAccuracy(const std::vector<TrialRow>& trials, int64_t id)
{
    for (const TrialRow& t : trials)
        if (t.id == id && t.status == TrialStatus::Done)
            return t.accuracy;
    return std::nullopt;
}

nlohmann::ordered_json ebsJobsJson(const std::vector<EbsSearchJob>& jobs, const std::vector<TrialRow>& trials)
{
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const EbsSearchJob& job : jobs) {
        const std::optional<double> accuracy = trialAccuracy(trials, job.trialId);
        list.push_back({{"job", job.index + 1},
                        {"budget_mb", job.budgetMB},
                        {"config", job.bits.toString()},
                        {"memory_mb", job.memoryMB},
                        {"search_steps", job.steps},
                        {"search_seconds", job.seconds},
                        {"trial", job.trialId},
                        {"accuracy", accuracy ? nlohmann::ordered_json(*accuracy) : nullptr}});
    }
    return list;
}

/// The ebs strategy's jobs: what each searched for and found, what it cost, and what its trial
/// measured.
void printEbsJobs(const std::vector<EbsSearchJob>& jobs, const std::vector<TrialRow>& trials)
{
    std::cout << "EBS search jobs (" << std::fixed << std::setprecision(1) << ebsSearchSeconds(jobs)
              << " s in all, counted in the study's cost; top-1 of the target-task trial)\n";
    if (jobs.empty()) {
        std::cout << "  (none yet)\n\n";
        return;
    }
    size_t width = 8;
    for (const EbsSearchJob& job : jobs)
        width = std::max(width, job.bits.toString().size() + 2);
    std::cout << "  " << std::left << std::setw(5) << "job" << std::right << std::setw(10) << "budget"
              << "  " << std::left << std::setw(int(width)) << "config" << std::right << std::setw(10) << "MB"
              << std::setw(10) << "search s" << std::setw(7) << "trial" << std::setw(9) << "top-1"
              << "\n";
    for (const EbsSearchJob& job : jobs) {
        std::ostringstream top1;
        if (const std::optional<double> accuracy = trialAccuracy(trials, job.trialId))
            top1 << std::fixed << std::setprecision(2) << *accuracy;
        else
            top1 << "-";
        std::cout << "  " << std::left << std::setw(5) << job.index + 1 << std::right << std::setprecision(4)
                  << std::setw(10) << job.budgetMB << "  " << std::left << std::setw(int(width)) << job.bits.toString()
                  << std::right << std::setw(10) << job.memoryMB << std::setprecision(1) << std::setw(10) << job.seconds
                  << std::setw(7) << job.trialId << std::setw(9) << top1.str() << "\n";
    }
    std::cout << "\n";
}

} // namespace

/// The study network's bit-serial latency table (measured once per machine, then cached).
LatencyOf latencyOfStudy(const StoredStudy& study, bool json, std::string& machine)
{
    if (study.spec.evaluator != "torch")
        throw ConfigError("--latency needs a study with the torch evaluator; '" + study.spec.name + "' uses "
                          + study.spec.evaluator);
    const auto assets = StudyAssets::load(study.spec);
    bitserial::LatencyOptions options;
    options.path = bitserial::fastestKernelPath();
    ProgressPrinter printer(!json);
    WorkControl control = printer.control();
    const auto table = std::make_shared<const bitserial::LatencyTable>(
        bitserial::cachedLatencyTable(assets->network, assets->splits.calibration, options, false, control));
    machine = table->machine;
    const bool imageInput = study.spec.quantizeImageInput;
    return [table, imageInput](const BitConfig& bits) { return table->perImageMs(bits, imageInput); };
}

/// The observed front on latency: target-task trials (mean accuracy per configuration) that no
/// other is both faster and more accurate than.
std::vector<ResultPoint> latencyFront(const StoredStudy& study, const std::vector<TrialRow>& trials, int targetTask,
                                      const LatencyOf& latencyOf)
{
    std::map<BitConfig, std::pair<double, int>> accuracy;
    std::map<BitConfig, const TrialRow*> rows;
    for (const TrialRow& t : trials)
        if (t.status == TrialStatus::Done && t.task == targetTask && t.accuracy) {
            auto& [sum, count] = accuracy[t.bits];
            sum += *t.accuracy;
            ++count;
            rows[t.bits] = &t;
        }
    std::vector<ResultPoint> points;
    std::vector<TradeOff> tradeOffs;
    for (const auto& [bits, sumCount] : accuracy) {
        ResultPoint p;
        p.bits = bits;
        p.accuracy = sumCount.first / sumCount.second;
        p.memoryMB = rows[bits]->memoryMB.value_or(0);
        p.bops = rows[bits]->bops.value_or(0);
        p.observed = true;
        p.effectiveAccuracy = effectiveAccuracy(p.accuracy, bitSum(bits), bits.size(), study.spec.effectiveK);
        points.push_back(p);
        tradeOffs.push_back({latencyOf(bits), p.accuracy});
    }
    std::vector<ResultPoint> front;
    for (size_t i : paretoFront(tradeOffs))
        front.push_back(points[i]);
    return front;
}

void printStudyPareto(const StudyOptions& options, size_t top, bool latency)
{
    StudyStore store = StudyStore::openForReading(options.database);
    const StoredStudy study = store.loadStudy(options.name);
    const std::vector<TrialRow> trials = store.trials(study.id);
    const StudyResults results = computeStudyResults(study, trials, top);
    std::string machine;
    const LatencyOf latencyOf = latency ? latencyOfStudy(study, options.json, machine) : LatencyOf();
    const std::vector<ResultPoint> onLatency =
        latency ? latencyFront(study, trials, results.targetTask, latencyOf) : std::vector<ResultPoint>();
    const std::vector<EbsSearchJob> ebsJobs = loadEbsSearchJobs(store, study);
    if (options.json) {
        auto list = [&latencyOf](const std::vector<ResultPoint>& points) {
            nlohmann::ordered_json a = nlohmann::ordered_json::array();
            for (const ResultPoint& p : points)
                a.push_back(pointJson(p, latencyOf));
            return a;
        };
        nlohmann::ordered_json out = {{"study", study.spec.name},
                                      {"target_task", results.targetTask},
                                      {"observed_front", list(results.observedFront)},
                                      {"predicted_front", list(results.predictedFront)},
                                      {"ranking", list(results.ranking)},
                                      {"baselines", list(results.baselines)},
                                      {"prediction_error",
                                       {{"trials", results.predictionError.trials},
                                        {"rmse", results.predictionError.rmse},
                                        {"mean_absolute", results.predictionError.meanAbsolute},
                                        {"within_95_interval", results.predictionError.withinInterval}}}};
        if (study.spec.strategy == "ebs")
            out["ebs_search_jobs"] = ebsJobsJson(ebsJobs, trials);
        if (latency) {
            out["latency_machine"] = machine;
            out["observed_front_latency"] = list(onLatency);
        }
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << "study '" << study.spec.name << "', target task " << results.targetTask << " ("
              << study.spec.target().name << "); top-1 in %, * = predicted (not evaluated on the target), "
              << "predicted = GP median [95 % interval], E = effective accuracy (k = " << study.spec.effectiveK
              << ")\n\n";
    if (latency)
        std::cout << "ms/img: the bit-serial engine's latency per image on " << machine << " (batch 64)\n\n";
    printPoints("Observed Pareto front (accuracy vs memory)", results.observedFront, latencyOf);
    if (latency)
        printPoints("Observed Pareto front (accuracy vs bit-serial latency)", onLatency, latencyOf);
    printPoints("Predicted Pareto front (posterior median over the candidates)", results.predictedFront, latencyOf);
    printPoints("Best effective accuracy (posterior median)", results.ranking, latencyOf);
    printPoints("Uniform baselines", results.baselines, latencyOf);
    if (study.spec.strategy == "ebs")
        printEbsJobs(ebsJobs, trials);
    if (results.predictionError.trials > 0)
        std::cout << std::fixed << std::setprecision(3) << "GP leave-one-out error on "
                  << results.predictionError.trials << " target-task trials: RMSE " << results.predictionError.rmse
                  << ", mean |error| " << results.predictionError.meanAbsolute << ", " << std::setprecision(0)
                  << 100 * results.predictionError.withinInterval << " % inside the 95 % interval\n";
    else
        std::cout << "GP leave-one-out error: needs " << PredictionError::kMinimumTrials << " target-task trials\n";
}

void exportStudy(const StudyOptions& options, const ExportOptions& exportOptions)
{
    StudyStore store = StudyStore::openForReading(options.database);
    const StoredStudy study = store.loadStudy(options.name);
    const std::vector<TrialRow> trials = store.trials(study.id);
    StudyExport request;
    request.format = exportOptions.format;
    if (!exportOptions.config.empty())
        request.bits = study.parseConfig(exportOptions.config);
    request.path = exportOptions.output == "-" ? std::string() : exportOptions.output;
    request.weights = exportOptions.weights;
    request.finalSteps = exportOptions.finalSteps;
    request.note = [](const std::string& text) { std::cerr << text << std::endl; };
    ProgressPrinter printer(!options.json);
    request.control = printer.control();
    for (const std::string& warning : studyExportWarnings(study, trials, request))
        std::cerr << "warning: " << warning << "\n";
    std::cout << exportStudy(study, trials, request);
}

void computeStudySensitivity(const StudyOptions& options, SensitivityOptions settings)
{
    StudyStore store(options.database, false);
    const StoredStudy study = store.loadStudy(options.name);
    if (study.spec.evaluator != "torch")
        throw ConfigError("sensitivity needs a study with the torch evaluator; '" + study.spec.name + "' uses "
                          + study.spec.evaluator);
    const auto assets = StudyAssets::load(study.spec);
    settings.quant = assets->quant;
    settings.seed = study.spec.seed;
    ProgressPrinter printer(!options.json);
    WorkControl control = printer.control();
    const SensitivityReport report =
        computeSensitivity(assets->network, assets->splits.search, assets->splits.calibration, settings, control);
    store.saveArtifact(study.id, "sensitivity", report.toJson());
    if (options.json) {
        std::cout << report.toJson() << "\n";
        return;
    }
    std::cout << "float top-1 " << std::fixed << std::setprecision(2) << report.floatAccuracy << " % on "
              << report.images << " search images; accuracy drop (points) with only that layer quantized:\n\n"
              << std::left << std::setw(24) << "layer" << std::right;
    for (int b : report.bits)
        std::cout << std::setw(8) << (std::to_string(b) + "-bit");
    std::cout << std::setw(14) << "Hess. trace";
    for (int b : report.bits)
        std::cout << std::setw(11) << ("HAWQ " + std::to_string(b));
    std::cout << "\n";
    for (const LayerSensitivity& l : report.layers) {
        std::cout << std::left << std::setw(24) << l.layer << std::right << std::setprecision(2);
        for (double d : l.accuracyDrop)
            std::cout << std::setw(8) << d;
        std::cout << std::scientific << std::setprecision(2) << std::setw(14) << l.hessianTrace;
        for (double m : l.hawqMetric)
            std::cout << std::setw(11) << m;
        std::cout << std::fixed << "\n";
    }
    std::cout << "\nHess. trace: average Hessian trace per weight (Hutchinson, " << settings.hutchinsonSamples
              << " samples); HAWQ b: trace x ||Q_b(W) - W||^2 (HAWQ-V2). Stored with the study.\n";
}

} // namespace quantscope::cli
