#include "study/worker_trial_evaluator.h"

#include "common/error.h"
#include "study/evaluator_protocol.h"

#include <chrono>

namespace quantscope {

WorkerTrialEvaluator::WorkerTrialEvaluator(std::vector<std::string> command, double timeout,
                                           std::vector<LayerInfo> layers) :
    process_(std::move(command)),
    timeout_(timeout), layers_(std::move(layers))
{
}

TrialResult WorkerTrialEvaluator::evaluate(const TrialRequest& request, const WorkControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    std::string answer;
    try {
        answer = process_.ask(trialRequestJson(request), timeout_, control);
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        throw EvaluationFailed(e.what());
    }
    TrialResult result = parseTrialResult(answer);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace quantscope
