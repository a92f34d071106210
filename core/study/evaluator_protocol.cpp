#include "study/evaluator_protocol.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <cmath>

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

TrialRequest parseTrialRequest(const std::string& json, const std::vector<std::string>& layerNames)
{
    TrialRequest request;
    try {
        const nlohmann::json j = nlohmann::json::parse(json);
        if (j.value("protocol", 0) != 1)
            throw ConfigError("trial request: protocol " + j.value("protocol", nlohmann::json()).dump() + " is not 1");
        request.study = j.value("study", "");
        request.trialId = j.value("trial", int64_t(0));
        request.layerNames = layerNames;
        request.bits = BitConfig::parse(j.at("config").get<std::string>(), layerNames);
        request.task = j.at("task").get<int>();
        request.taskName = j.value("task_name", "");
        request.steps = j.at("finetune_steps").get<int64_t>();
        request.seed = j.value("seed", uint64_t(0));
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

TrialResult parseTrialResult(const std::string& output, const std::function<CostReport()>& fallbackCost)
{
    TrialResult result;
    try {
        const nlohmann::json reply = nlohmann::json::parse(output);
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
