#include "study/trial_evaluator.h"

#include "common/error.h"
#include "study/command_trial_evaluator.h"
#include "study/synthetic_trial_evaluator.h"
#include "study/torch_trial_evaluator.h"

#include <nlohmann/json.hpp>

namespace quantscope {

std::unique_ptr<TrialEvaluator> makeTrialEvaluator(const StudySpec& spec)
{
    if (spec.evaluator == "synthetic")
        return std::make_unique<SyntheticTrialEvaluator>(spec);
    if (spec.evaluator == "command")
        return std::make_unique<CommandTrialEvaluator>(spec);
    if (spec.evaluator == "torch")
        return std::make_unique<TorchTrialEvaluator>(spec);
    throw ConfigError("unknown evaluator '" + spec.evaluator + "': expected torch, synthetic or command");
}

std::vector<std::unique_ptr<TrialEvaluator>> makeTrialEvaluators(const StudySpec& spec,
                                                                 const std::vector<std::string>& workerCommand)
{
    std::vector<std::unique_ptr<TrialEvaluator>> evaluators;
    if (spec.workers <= 1) {
        evaluators.push_back(makeTrialEvaluator(spec));
        return evaluators;
    }
    if (spec.evaluator == "command") {
        for (int i = 0; i < spec.workers; ++i)
            evaluators.push_back(std::make_unique<CommandTrialEvaluator>(spec));
        return evaluators;
    }
    if (workerCommand.empty())
        throw ConfigError("study: " + std::to_string(spec.workers) + " workers need a worker command");
    const std::vector<LayerInfo> layers = makeTrialEvaluator(spec)->layers(); // also checks model and data now
    for (int i = 0; i < spec.workers; ++i)
        evaluators.push_back(std::make_unique<CommandTrialEvaluator>(workerCommand, spec.commandTimeout, layers));
    return evaluators;
}

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
            throw ConfigError("trial request: protocol " + j.value("protocol", nlohmann::json()).dump()
                              + " is not 1");
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
    return nlohmann::ordered_json{{"accuracy", result.accuracy}, {"memory_mb", result.memoryMB}, {"bops", result.bops},
                                  {"seconds", result.seconds}}
        .dump();
}

} // namespace quantscope
