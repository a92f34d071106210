#include "export/study_export.h"

#include "common/error.h"
#include "export/aimet_encodings.h"
#include "export/config_export.h"
#include "export/onnx_export.h"
#include "export/torchscript_export.h"
#include "study/study_results.h"
#include "study/torch_trial_evaluator.h"

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

std::vector<std::string> layerNames(const StoredStudy& study)
{
    std::vector<std::string> names;
    for (const LayerInfo& l : study.layers)
        names.push_back(l.name);
    return names;
}

/// The configuration to export: the one asked for, or for bits-json the measured configuration
/// with the best effective accuracy on the target task.
BitConfig chosenConfig(const StoredStudy& study, const std::vector<TrialRow>& trials, const StudyExport& request)
{
    if (!request.config.empty())
        return BitConfig::parse(request.config, layerNames(study));
    if (request.format != "bits-json")
        throw ConfigError(request.format + ": give the configuration to export");
    const StudyResults results = computeStudyResults(study, trials, 1);
    const ResultPoint* best = nullptr;
    for (const ResultPoint& p : results.observedFront)
        if (!best || p.effectiveAccuracy > best->effectiveAccuracy)
            best = &p;
    if (!best)
        throw ConfigError("study '" + study.spec.name + "' has no trial on its target task yet: give the configuration");
    return BitConfig::parse(best->config, layerNames(study));
}

/// The study's network and data, for the formats that write the model itself.
std::unique_ptr<TorchTrialEvaluator> realModel(const StoredStudy& study, const std::string& format)
{
    if (study.spec.evaluator == "synthetic")
        throw ConfigError(format + " needs a study of a real model (torch or command evaluator)");
    StudySpec spec = study.spec;
    spec.evaluator = "torch";
    spec.workers = 1;
    return std::make_unique<TorchTrialEvaluator>(spec);
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

std::string exportStudy(const StoredStudy& study, const std::vector<TrialRow>& trials, const StudyExport& request)
{
    checkFormat(request.format);
    std::string content;
    if (request.format == "trials-csv") {
        content = trialsCsv(study, trials);
    } else if (request.format == "bits-json") {
        const BitConfig bits = chosenConfig(study, trials, request);
        const int target = int(study.spec.tasks.size()) - 1;
        std::optional<double> accuracy;
        for (const TrialRow& t : trials)
            if (t.status == TrialStatus::Done && t.task == target && t.config == bits.toString())
                accuracy = t.accuracy;
        content = bitsJson(study, bits, accuracy, accuracy.has_value()) + "\n";
    } else {
        const BitConfig bits = chosenConfig(study, trials, request);
        if (request.format != "aimet-json" && request.path.empty())
            throw ConfigError(request.format + ": give the file to write");
        const auto model = realModel(study, request.format);
        if (request.format == "torchscript") {
            exportTorchScript(model->network(), bits, model->quantSettings(), model->splits().train, request.path);
            return {};
        }
        if (request.format == "onnx") {
            exportOnnx(model->network(), bits, model->quantSettings(), model->splits().train, request.path);
            return {};
        }
        content = aimetEncodingsJson(model->network(), bits, model->quantSettings(), model->splits().train) + "\n";
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
