#include "export/config_export.h"

#include "study/study_results.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace quantscope {
namespace {

std::string csvField(const std::string& text)
{
    if (text.find_first_of(",\"\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string optionalNumber(const std::optional<double>& value)
{
    if (!value)
        return {};
    std::ostringstream out;
    out.precision(10);
    out << *value;
    return out.str();
}

} // namespace

std::vector<std::string> onnxRuntimeWarnings(const std::vector<LayerInfo>& layers, const BitConfig& bits,
                                             const std::string& quantizer)
{
    std::vector<std::string> warnings;
    if (quantizer == "dsconv")
        warnings.push_back("quantizer dsconv: its per-block weight scales and block-floating-point activations have "
                           "no ONNX QDQ form; integer runtimes execute the uniform quantizer's layers only");
    for (size_t i = 0; i < layers.size() && i < bits.size(); ++i) {
        const LayerBits& b = bits[i];
        auto warn = [&](int value, const std::string& what) {
            if (value == 0 || value == 8)
                return;
            if (value == 4)
                warnings.push_back("layer " + layers[i].name + ": 4-bit " + what
                                   + " go into int8 QDQ containers (int4 QDQ needs ONNX opset 21; Debian's ONNX 1.12 "
                                     "stops at 17): exact values, int8 storage and arithmetic");
            else
                warnings.push_back("layer " + layers[i].name + ": " + std::to_string(value) + "-bit " + what
                                   + " simulated only (integer runtimes execute int8 and int4; ONNX QDQ carries the "
                                     "exact values in int8)");
        };
        if (b.coupled()) {
            warn(b.weight, b.weight == 4 ? "weights and activations" : "weights and activations are");
            continue;
        }
        warn(b.weight, b.weight == 4 ? "weights" : "weights are");
        warn(b.activation, b.activation == 4 ? "activations" : "activations are");
    }
    return warnings;
}

std::string bitsJson(const StoredStudy& study, const BitConfig& bits, const std::optional<double>& accuracy,
                     bool accuracyObserved)
{
    std::vector<std::string> names;
    for (const LayerInfo& l : study.layers)
        names.push_back(l.name);
    nlohmann::ordered_json document = nlohmann::ordered_json::parse(bits.toJson(names));
    nlohmann::ordered_json out = {
        {"format", "quantscope-bits"},       {"version", 1},
        {"study", study.spec.name},          {"model", study.spec.model},
        {"quantizer", study.spec.quantizer}, {"quantize_image_input", study.spec.quantizeImageInput},
        {"config", bits.toString()},         {"memory_mb", studyMemoryMB(study, bits)},
        {"bops", studyBops(study, bits)}};
    if (accuracy) {
        out["accuracy"] = *accuracy;
        out["accuracy_source"] = accuracyObserved ? "measured" : "predicted";
        out["task"] = study.spec.tasks.back().name;
    }
    out["layers"] = document.at("layers");
    return out.dump(2);
}

std::string trialsCsv(const StoredStudy& study, const std::vector<TrialRow>& trials)
{
    std::ostringstream out;
    out << "trial,config,task,task_name,status,accuracy,memory_mb,bops,seconds,error,reason,created_at,started_at,"
           "finished_at\n";
    for (const TrialRow& t : trials) {
        const std::string taskName =
            size_t(t.task) < study.spec.tasks.size() ? study.spec.tasks[size_t(t.task)].name : "";
        out << t.id << ',' << csvField(t.config) << ',' << t.task << ',' << csvField(taskName) << ','
            << trialStatusName(t.status) << ',' << optionalNumber(t.accuracy) << ',' << optionalNumber(t.memoryMB)
            << ',' << optionalNumber(t.bops) << ',' << optionalNumber(t.seconds) << ',' << csvField(t.error) << ','
            << csvField(t.reason) << ',' << t.createdAt << ',' << t.startedAt << ',' << t.finishedAt << '\n';
    }
    return out.str();
}

} // namespace quantscope
