#include "study/command_trial_evaluator.h"

#include "common/error.h"
#include "model/default_model.h"
#include "model/network.h"
#include "study/child_process.h"
#include "study/evaluator_protocol.h"
#include "study/study_network.h"

#include <sys/wait.h>

#include <chrono>

namespace quantscope {
namespace {

/// ": <last line the command wrote on standard error>", when it wrote one.
std::string errorSuffix(const ChildOutput& child)
{
    return child.lastErrorLine.empty() ? std::string() : ": " + child.lastErrorLine.substr(0, 200);
}

} // namespace

std::vector<LayerInfo> studyCostModel(const StudySpec& spec, std::function<CostReport(const BitConfig&)>& cost)
{
    const Network network = openStudyNetwork(spec);
    std::vector<LayerInfo> layers = network.layers();
    const std::shared_ptr<Quantizer> quantizer = makeQuantizer(parseQuantizerKind(spec.quantizer));
    const LayerPolicy policy{spec.quantizeImageInput, std::nullopt};
    cost = [layers, quantizer, policy](const BitConfig& bits) { return computeCost(layers, bits, *quantizer, policy); };
    return layers;
}

TrialResult parseCommandResult(const std::string& output, const BitConfig& bits,
                               const std::function<CostReport(const BitConfig&)>& fallbackCost)
{
    return parseTrialResult(output,
                            fallbackCost ? std::function<CostReport()>([&] { return fallbackCost(bits); })
                                         : std::function<CostReport()>());
}

CommandTrialEvaluator::CommandTrialEvaluator(const StudySpec& spec) :
    command_(spec.command), timeout_(spec.commandTimeout)
{
    layers_ = studyCostModel(spec, fallbackCost_); // in the body: fallbackCost_ is constructed by now
}

CommandTrialEvaluator::CommandTrialEvaluator(std::vector<std::string> command, double timeout,
                                             std::vector<LayerInfo> layers) :
    command_(std::move(command)),
    timeout_(timeout), layers_(std::move(layers))
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

    TrialResult result = parseCommandResult(child.out, request.bits, fallbackCost_);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace quantscope
