#include "study/evaluator_protocol.h"

#include "common/error.h"
#include "common/json_integer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <optional>

namespace quantscope {

std::string trialRequestJson(const TrialRequest& request)
{
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (size_t i = 0; i < request.bits.size(); ++i)
        layers.push_back({{"name", i < request.layerNames.size() ? request.layerNames[i] : ""},
                          {"weight_bits", request.bits[i].weight},
                          {"activation_bits", request.bits[i].activation}});
    const nlohmann::ordered_json j = {{"protocol", 1},
                                      {"study", request.study},
                                      {"trial", request.trialId},
                                      {"config", request.bits.toString()},
                                      {"layers", layers},
                                      {"task", request.task},
                                      {"task_name", request.taskName},
                                      {"finetune_steps", request.steps},
                                      {"seed", request.seed}};
    return j.dump();
}

namespace {

/// An integer field (absent: `fallback`, when given). JSON integers only: nlohmann's own conversion
/// of a number like 1e61 to an integer is undefined behaviour (found by fuzz_evaluator_protocol).
int64_t integerField(const nlohmann::json& j, const char* key, std::optional<int64_t> fallback, int64_t lo, int64_t hi)
{
    if (!j.contains(key)) {
        if (!fallback)
            throw ConfigError(std::string("trial request: \"") + key + "\" is missing");
        return *fallback;
    }
    return jsonInteger<int64_t>(j.at(key), std::string("trial request: \"") + key + "\"", lo, hi);
}

} // namespace

TrialRequest parseTrialRequest(const std::string& json, const std::vector<std::string>& layerNames)
{
    TrialRequest request;
    try {
        const nlohmann::json j = nlohmann::json::parse(json);
        if (!j.is_object())
            throw ConfigError("trial request: expected a JSON object");
        const nlohmann::json protocol = j.value("protocol", nlohmann::json());
        if (!protocol.is_number_integer() || protocol.get<int64_t>() != 1)
            throw ConfigError("trial request: protocol " + protocol.dump() + " is not 1");
        constexpr int64_t kLargest = std::numeric_limits<int64_t>::max();
        request.study = j.value("study", "");
        request.trialId = integerField(j, "trial", 0, 0, kLargest);
        request.layerNames = layerNames;
        try {
            request.bits = BitConfig::parse(j.at("config").get<std::string>(), layerNames);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("trial request: \"config\": ") + e.what());
        }
        request.task = int(integerField(j, "task", std::nullopt, 0, std::numeric_limits<int>::max()));
        request.taskName = j.value("task_name", "");
        request.steps = integerField(j, "finetune_steps", std::nullopt, 0, kLargest);
        // The whole 64-bit range (StudySpec::trialSeed); absent: 0.
        request.seed = j.contains("seed") ? jsonInteger<uint64_t>(j.at("seed"), "trial request: \"seed\"") : 0;
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(std::string("trial request: ") + e.what());
    }
    if (request.steps < 0)
        throw ConfigError("trial request: finetune_steps must not be negative");
    return request;
}

std::string trialResultJson(const TrialResult& result)
{
    return nlohmann::ordered_json{{"accuracy", result.accuracy},
                                  {"memory_mb", result.memoryMB},
                                  {"bops", result.bops},
                                  {"seconds", result.seconds}}
        .dump();
}

std::string trialErrorJson(const std::string& reason)
{
    return nlohmann::json{{"error", reason}}.dump();
}

TrialResult parseTrialResult(const std::string& output, const std::function<CostReport()>& fallbackCost)
{
    TrialResult result;
    try {
        const nlohmann::json reply = nlohmann::json::parse(output);
        if (reply.is_object() && reply.contains("error") && reply.at("error").is_string())
            throw EvaluationFailed(reply.at("error").get<std::string>());
        result.accuracy = reply.at("accuracy").get<double>();
        if (fallbackCost && (!reply.contains("memory_mb") || !reply.contains("bops"))) {
            const CostReport cost = fallbackCost();
            result.memoryMB = reply.value("memory_mb", cost.memoryMB);
            result.bops = reply.value("bops", cost.bops);
        } else {
            result.memoryMB = reply.at("memory_mb").get<double>();
            result.bops = reply.at("bops").get<double>();
        }
    } catch (const nlohmann::json::exception&) {
        std::string shown = output.substr(0, 80);
        for (char& c : shown)
            if (c == '\n')
                c = ' ';
        throw EvaluationFailed("unreadable evaluator output (expected JSON with \"accuracy\"): '" + shown + "'");
    }
    if (!std::isfinite(result.accuracy))
        throw EvaluationFailed("evaluator command reported a non-finite accuracy");
    if (result.accuracy < 0 || result.accuracy > 100)
        throw EvaluationFailed("evaluator command reported accuracy " + std::to_string(result.accuracy)
                               + ", outside 0..100 (percent)");
    if (!std::isfinite(result.memoryMB) || result.memoryMB < 0)
        throw EvaluationFailed("evaluator command reported memory_mb " + std::to_string(result.memoryMB)
                               + ": it must be a non-negative number");
    if (!std::isfinite(result.bops) || result.bops < 0)
        throw EvaluationFailed("evaluator command reported bops " + std::to_string(result.bops)
                               + ": it must be a non-negative number");
    return result;
}

} // namespace quantscope
