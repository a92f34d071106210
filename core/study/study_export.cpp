#include "study/study_export.h"

#include "common/error.h"
#include "export/aimet_encodings.h"
#include "export/onnx_export.h"
#include "export/runtime_warnings.h"
#include "export/torchscript_export.h"
#include "study/study_documents.h"
#include "study/study_results.h"
#include "study/study_assets.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

namespace quantscope {
namespace {

const char* const kFormats = "bits-json, trials-csv, aimet-json, torchscript or onnx";

bool isModelFormat(const std::string& format)
{
    return format == "torchscript" || format == "onnx" || format == "aimet-json";
}

void checkFormat(const std::string& format)
{
    if (format != "bits-json" && format != "trials-csv" && !isModelFormat(format))
        throw ConfigError("unknown export format '" + format + "': expected " + kFormats);
}

/// The configuration to export: the one asked for, or the measured configuration with the best
/// effective accuracy on the target task.
BitConfig chosenConfig(const StoredStudy& study, const std::vector<TrialRow>& trials, const StudyExport& request)
{
    if (request.bits)
        return *request.bits;
    const StudyResults results = computeStudyResults(study, trials, 1);
    const ResultPoint* best = nullptr;
    for (const ResultPoint& p : results.observedFront)
        if (!best || p.effectiveAccuracy > best->effectiveAccuracy)
            best = &p;
    if (!best)
        throw ConfigError("study '" + study.spec.name
                          + "' has no trial on its target task yet: give the configuration");
    return best->bits;
}

/// The study's network and data, for the formats that write the model itself: `loaded` when the
/// caller has them, loaded here otherwise.
std::shared_ptr<const StudyAssets> realModel(const StoredStudy& study, const std::string& format,
                                             std::shared_ptr<const StudyAssets> loaded)
{
    if (study.spec.evaluator == "synthetic")
        throw ConfigError(format + " needs a study of a real model (torch or command evaluator)");
    return loaded ? loaded : StudyAssets::load(study.spec);
}

/// The first done target-task trial of `bits`, if any: the one a "trial" export reproduces.
const TrialRow* targetTrial(const StoredStudy& study, const std::vector<TrialRow>& trials, const BitConfig& bits)
{
    const int target = study.spec.targetTask();
    for (const TrialRow& t : trials)
        if (t.status == TrialStatus::Done && t.task == target && t.bits == bits)
            return &t;
    return nullptr;
}

std::string percent(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f %%", value);
    return text;
}

/// The network a model format writes, and what it is: stored in the file (TorchScript extra file
/// "quantscope.json", ONNX metadata "quantscope") so that a deployed file says what it reproduces.
struct ExportedWeights {
    Network network;
    nlohmann::ordered_json provenance;
};

nlohmann::ordered_json provenanceOf(const StoredStudy& study, const BitConfig& bits, const std::string& weights)
{
    return {{"study", study.spec.name},
            {"configuration", bits.toString()},
            {"quantizer", study.spec.quantizer},
            {"weights", weights}};
}

/// `bits` quantized from the study's model and fine-tuned for `steps` with `seed` (as a trial
/// is), and its top-1 on `scored`.
std::pair<Network, double> fineTuneAndScore(const StudyAssets& assets, const BitConfig& bits, int64_t steps,
                                            uint64_t seed, const ImageSource& scored, const WorkControl& control)
{
    EvaluationRequest evaluation;
    evaluation.bits = bits;
    evaluation.quant = assets.quant;
    evaluation.fineTune = TrainOptions::nuqFineTune(steps, seed);
    Network trained =
        quantizeAndFineTune(assets.network, EvaluationData::of(assets.splits, scored), evaluation, control);
    const double accuracy = evaluateAccuracy(trained, scored, control);
    return {std::move(trained), accuracy};
}

/// NUQ's "actual" accuracy (Table 1): the chosen configuration fine-tuned longer on the training
/// split and scored once on the hold-out split, which no search decision has seen.
ExportedWeights finalFineTune(const StoredStudy& study, const BitConfig& bits, const StudyAssets& assets,
                              const StudyExport& request, const std::function<void(const std::string&)>& tell)
{
    const int64_t steps = request.finalSteps > 0 ? request.finalSteps : 5 * study.spec.target().steps;
    if (steps <= 0)
        throw ConfigError("final fine-tune: give the number of steps (the target task fine-tunes for 0)");
    const ImageSource& holdout = *assets.splits.holdout;
    auto [trained, accuracy] = fineTuneAndScore(assets, bits, steps, study.spec.seed, holdout, request.control);
    tell("the file holds " + bits.toString() + " after a final fine-tune of " + std::to_string(steps)
         + " steps on the training split: " + percent(accuracy) + " top-1 on the " + std::to_string(holdout.size())
         + " hold-out images");
    nlohmann::ordered_json provenance = provenanceOf(study, bits, "final");
    provenance.update({{"steps", steps},
                       {"seed", study.spec.seed},
                       {"split", "holdout"},
                       {"images", holdout.size()},
                       {"accuracy", accuracy}});
    return {std::move(trained), std::move(provenance)};
}

/// The network model formats write: the measured trial's fine-tuned network, re-run (weights
/// "trial"), or the FP32 model quantized (weights "quantized", or no target-task trial).
ExportedWeights weightsToExport(const StoredStudy& study, const std::vector<TrialRow>& trials, const BitConfig& bits,
                                const StudyAssets& assets, const StudyExport& request)
{
    if (request.weights != "trial" && request.weights != "quantized" && request.weights != "final")
        throw ConfigError("unknown weights '" + request.weights + "': expected trial, quantized or final");
    const auto tell = [&](const std::string& text) {
        if (request.note)
            request.note(text);
    };
    if (request.weights == "final")
        return finalFineTune(study, bits, assets, request, tell);
    const TrialRow* trial = request.weights == "trial" ? targetTrial(study, trials, bits) : nullptr;
    const StudyTask& task = study.spec.target();
    if (!trial || task.steps == 0) {
        if (request.weights == "trial" && !trial)
            tell("no trial of " + bits.toString()
                 + " on the target task: the file holds quantized weights, not "
                   "fine-tuned, which the study never measured");
        else
            tell("the file holds " + bits.toString() + " quantized from the FP32 model, not fine-tuned");
        nlohmann::ordered_json provenance = provenanceOf(study, bits, "quantized");
        provenance["steps"] = 0;
        return {assets.network, std::move(provenance)};
    }
    // The trial's own request, as StudyRunner made it.
    const uint64_t seed = study.spec.trialSeed(trial->id);
    const ImageSet& search = assets.splits.search;
    auto [trained, reproduced] = fineTuneAndScore(assets, bits, task.steps, seed, search, request.control);
    tell("the file holds " + bits.toString() + " fine-tuned for " + std::to_string(task.steps) + " steps (seed "
         + std::to_string(seed) + ") as trial " + std::to_string(trial->id) + " was: " + percent(reproduced)
         + " on the " + std::to_string(search.size()) + " search-split images, where the trial measured "
         + percent(*trial->accuracy));
    nlohmann::ordered_json provenance = provenanceOf(study, bits, "trial");
    provenance.update({{"trial", trial->id},
                       {"task", task.name},
                       {"steps", task.steps},
                       {"seed", seed},
                       {"split", "search"},
                       {"images", search.size()},
                       {"accuracy", reproduced},
                       {"measured_accuracy", *trial->accuracy}});
    return {std::move(trained), std::move(provenance)};
}

} // namespace

std::vector<std::string> studyExportWarnings(const StoredStudy& study, const std::vector<TrialRow>& trials,
                                             const StudyExport& request)
{
    checkFormat(request.format);
    if (request.format == "trials-csv" || request.format == "aimet-json")
        return {};
    // onnx refuses DSConv itself, with the reason: no warnings ahead of that error.
    if (request.format == "onnx" && study.spec.quantizer != "uniform")
        return {};
    return onnxRuntimeWarnings(study.layers, chosenConfig(study, trials, request), study.spec.quantizer);
}

void checkStudyExport(const StoredStudy& study, const StudyExport& request)
{
    checkFormat(request.format);
    if (request.path.empty())
        throw ConfigError("choose the file to write");
    const std::filesystem::path folder = std::filesystem::absolute(request.path).parent_path();
    if (!std::filesystem::is_directory(folder))
        throw ConfigError("folder " + folder.string() + " does not exist");
    if (access(folder.c_str(), W_OK) != 0)
        throw ConfigError("folder " + folder.string() + " is not writable");
    if (request.bits)
        study.requireFits(*request.bits);
    QuantSettings settings;
    settings.quantizer = parseQuantizerKind(study.spec.quantizer);
    if (request.format == "onnx")
        requireOnnxQuantizer(settings);
    if (request.format == "aimet-json")
        requireAimetQuantizer(settings);
}

std::string exportStudy(const StoredStudy& study, const std::vector<TrialRow>& trials, const StudyExport& request,
                        std::shared_ptr<const StudyAssets> assets)
{
    checkFormat(request.format);
    std::string content;
    if (request.format == "trials-csv") {
        content = trialsCsv(study, trials);
    } else if (request.format == "bits-json") {
        const BitConfig bits = chosenConfig(study, trials, request);
        const int target = study.spec.targetTask();
        std::optional<double> accuracy;
        for (const TrialRow& t : trials)
            if (t.status == TrialStatus::Done && t.task == target && t.bits == bits)
                accuracy = t.accuracy;
        content = bitsJson(study, bits, accuracy, accuracy.has_value()) + "\n";
    } else {
        const BitConfig bits = chosenConfig(study, trials, request);
        if (request.format != "aimet-json" && request.path.empty())
            throw ConfigError(request.format + ": give the file to write");
        const auto loaded = realModel(study, request.format, std::move(assets));
        if (request.format == "onnx") // refused before minutes of fine-tuning, not after
            requireOnnxQuantizer(loaded->quant);
        if (request.format == "aimet-json")
            requireAimetQuantizer(loaded->quant);
        const ExportedWeights weights = weightsToExport(study, trials, bits, *loaded, request);
        const std::string provenance = weights.provenance.dump();
        if (request.format == "torchscript") {
            exportTorchScript(weights.network, bits, loaded->quant, loaded->splits.calibration, request.path,
                              provenance);
            return {};
        }
        if (request.format == "onnx") {
            exportOnnx(weights.network, bits, loaded->quant, loaded->splits.calibration, request.path, provenance);
            return {};
        }
        content = aimetEncodingsJson(weights.network, bits, loaded->quant, loaded->splits.calibration) + "\n";
    }
    if (request.path.empty())
        return content;
    std::ofstream out(request.path);
    out << content;
    if (!out)
        throw ConfigError("cannot write " + request.path);
    return {};
}

} // namespace quantscope
