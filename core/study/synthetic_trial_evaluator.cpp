#include "study/synthetic_trial_evaluator.h"

#include "common/error.h"

#include <chrono>
#include <functional>
#include <thread>

namespace quantscope {

SyntheticTrialEvaluator::SyntheticTrialEvaluator(const StudySpec& spec) :
    problem_(SyntheticProblem::standard(size_t(spec.syntheticLayers), spec.syntheticSeed)), delay_(spec.syntheticDelay)
{
}

std::vector<LayerInfo> SyntheticTrialEvaluator::layers() const
{
    return problem_.layers();
}

TrialResult SyntheticTrialEvaluator::evaluate(const TrialRequest& request, const WorkControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    // Sleep in slices so that cancellation is prompt.
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < delay_) {
        control.checkCancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // Noise seeded by the request, so a re-run of the same trial reports the same value.
    std::mt19937_64 rng(request.seed ^ std::hash<std::string>{}(request.bits.toString())
                        ^ (uint64_t(request.task) << 32));
    TrialResult result;
    result.accuracy = problem_.observe(request.bits, request.task, rng);
    result.memoryMB = problem_.memoryMB(request.bits);
    for (size_t i = 0; i < problem_.layers().size(); ++i)
        result.bops += double(problem_.layers()[i].macs) * request.bits[i].weight * request.bits[i].activation;
    // The nominal task cost stands in for wall time, so budgets behave as with real evaluations.
    result.seconds = problem_.tasks().at(size_t(request.task)).cost;
    return result;
}

} // namespace quantscope
