#include "study/command_trial_evaluator.h"

#include "common/error.h"
#include "model/default_model.h"
#include "model/network.h"
#include "study/child_process.h"

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <chrono>
#include <cmath>

namespace quantscope {
namespace {

/// ": <last line the command wrote on standard error>", when it wrote one.
std::string errorSuffix(const ChildOutput& child)
{
    return child.lastErrorLine.empty() ? std::string() : ": " + child.lastErrorLine.substr(0, 200);
}

} // namespace

CommandTrialEvaluator::CommandTrialEvaluator(const StudySpec& spec) :
    command_(spec.command), timeout_(spec.commandTimeout)
{
    const Network network = spec.openModel();
    layers_ = network.layers();
    const std::shared_ptr<Quantizer> quantizer = makeQuantizer(parseQuantizerKind(spec.quantizer));
    const LayerPolicy policy{spec.quantizeImageInput, std::nullopt};
    fallbackCost_ = [layers = layers_, quantizer, policy](const BitConfig& bits) {
        return computeCost(layers, bits, *quantizer, policy);
    };
}

CommandTrialEvaluator::CommandTrialEvaluator(std::vector<std::string> command, double timeout,
                                             std::vector<LayerInfo> layers) :
    command_(std::move(command)), timeout_(timeout), layers_(std::move(layers))
{
}

TrialResult CommandTrialEvaluator::evaluate(const TrialRequest& request, const WorkControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    ChildOutput child;
    try {
        child = runChildProcess(command_, trialRequestJson(request) + "\n", timeout_, control);
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        throw EvaluationFailed(e.what());
    }
    if (child.timedOut)
        throw EvaluationFailed("evaluator command timed out after " + std::to_string(int(timeout_)) + " s");
    if (WIFSIGNALED(child.status))
        throw EvaluationFailed("evaluator command was killed by signal " + std::to_string(WTERMSIG(child.status))
                               + errorSuffix(child));
    if (WEXITSTATUS(child.status) == 127)
        throw EvaluationFailed("evaluator command not found: " + command_.front());
    if (WEXITSTATUS(child.status) != 0)
        throw EvaluationFailed("evaluator command exited with status " + std::to_string(WEXITSTATUS(child.status))
                               + errorSuffix(child));

    TrialResult result;
    try {
        const nlohmann::json reply = nlohmann::json::parse(child.out);
        result.accuracy = reply.at("accuracy").get<double>();
        if (fallbackCost_ && (!reply.contains("memory_mb") || !reply.contains("bops"))) {
            const CostReport cost = fallbackCost_(request.bits);
            result.memoryMB = reply.value("memory_mb", cost.memoryMB);
            result.bops = reply.value("bops", cost.bops);
        } else {
            result.memoryMB = reply.at("memory_mb").get<double>();
            result.bops = reply.at("bops").get<double>();
        }
    } catch (const nlohmann::json::exception&) {
        std::string shown = child.out.substr(0, 80);
        for (char& c : shown)
            if (c == '\n')
                c = ' ';
        throw EvaluationFailed("unreadable evaluator output (expected JSON with \"accuracy\"): '" + shown + "'");
    }
    if (!std::isfinite(result.accuracy))
        throw EvaluationFailed("evaluator command reported a non-finite accuracy");
    if (result.accuracy < 0 || result.accuracy > 100)
        throw EvaluationFailed("evaluator command reported accuracy " + std::to_string(result.accuracy) +
                               ", outside 0..100 (percent)");
    if (!std::isfinite(result.memoryMB) || result.memoryMB < 0)
        throw EvaluationFailed("evaluator command reported memory_mb " + std::to_string(result.memoryMB) +
                               ": it must be a non-negative number");
    if (!std::isfinite(result.bops) || result.bops < 0)
        throw EvaluationFailed("evaluator command reported bops " + std::to_string(result.bops) +
                               ": it must be a non-negative number");
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace quantscope
