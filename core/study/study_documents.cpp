#include "study/study_documents.h"

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

std::string bitsJson(const StoredStudy& study, const BitConfig& bits, const std::optional<double>& accuracy,
                     bool accuracyObserved)
{
    nlohmann::ordered_json document = nlohmann::ordered_json::parse(bits.toJson(study.layerNames()));
    nlohmann::ordered_json out = {
        {"format", "quantscope-bits"},       {"version", 1},
        {"study", study.spec.name},          {"model", study.spec.model},
        {"quantizer", study.spec.quantizer}, {"quantize_image_input", study.spec.quantizeImageInput},
        {"config", bits.toString()},         {"memory_mb", studyMemoryMB(study, bits)},
        {"bops", studyBops(study, bits)}};
    if (accuracy) {
        out["accuracy"] = *accuracy;
        out["accuracy_source"] = accuracyObserved ? "measured" : "predicted";
        out["task"] = study.spec.target().name;
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
        out << t.id << ',' << csvField(t.bits.toString()) << ',' << t.task << ',' << csvField(taskName) << ','
            << trialStatusName(t.status) << ',' << optionalNumber(t.accuracy) << ',' << optionalNumber(t.memoryMB)
            << ',' << optionalNumber(t.bops) << ',' << optionalNumber(t.seconds) << ',' << csvField(t.error) << ','
            << csvField(t.reason) << ',' << t.createdAt << ',' << t.startedAt << ',' << t.finishedAt << '\n';
    }
    return out.str();
}

} // namespace quantscope
