#include "study/study_documents.h"

#include "study/study_results.h"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
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

/// The shortest text that reads back as the same double: a trials file fed back to the GP (`gp
/// --trials`) must give the study's own fit.
std::string exactNumber(const std::optional<double>& value)
{
    if (!value)
        return {};
    std::array<char, 32> text{};
    const auto end = std::to_chars(text.data(), text.data() + text.size(), *value).ptr;
    return std::string(text.data(), end);
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
    out << "trial,config,task,task_name,steps,status,accuracy,memory_mb,bops,seconds,error,reason,"
           "created_at,started_at,finished_at\n";
    for (const TrialRow& t : trials) {
        const bool known = size_t(t.task) < study.spec.tasks.size();
        const std::string taskName = known ? study.spec.tasks[size_t(t.task)].name : "";
        const std::string steps = known ? std::to_string(study.spec.tasks[size_t(t.task)].steps) : "";
        out << t.id << ',' << csvField(t.bits.toString()) << ',' << t.task << ',' << csvField(taskName) << ',' << steps
            << ',' << trialStatusName(t.status) << ',' << exactNumber(t.accuracy) << ',' << optionalNumber(t.memoryMB)
            << ',' << optionalNumber(t.bops) << ',' << optionalNumber(t.seconds) << ',' << csvField(t.error) << ','
            << csvField(t.reason) << ',' << t.createdAt << ',' << t.startedAt << ',' << t.finishedAt << '\n';
    }
    return out.str();
}

} // namespace quantscope
