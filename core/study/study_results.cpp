#include "study/study_results.h"

#include "study/study_surrogate.h"

#include "gp/multitask_gp.h"
#include "quant/cost_model.h"
#include "search/candidates.h"
#include "search/encoding.h"
#include "search/pareto.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace quantscope {
namespace {

LayerPolicy policyOf(const StoredStudy& study)
{
    LayerPolicy policy;
    policy.quantizeImageInput = study.spec.quantizeImageInput;
    return policy;
}

std::vector<ResultPoint> frontOf(std::vector<ResultPoint> points)
{
    std::vector<TradeOff> tradeOffs;
    for (const ResultPoint& p : points)
        tradeOffs.push_back({p.memoryMB, p.accuracy});
    std::vector<ResultPoint> front;
    for (size_t i : paretoFront(tradeOffs))
        front.push_back(points[i]);
    return front;
}

} // namespace

double studyMemoryMB(const StoredStudy& study, const BitConfig& bits)
{
    if (study.spec.evaluator == "synthetic") {
        double total = 0;
        for (size_t i = 0; i < study.layers.size(); ++i)
            total += double(study.layers[i].weightCount) * (bits[i].isFloat() ? 32 : bits[i].weight);
        return total / 8 / 1e6;
    }
    return computeCost(study.layers, bits, *makeQuantizer(parseQuantizerKind(study.spec.quantizer)), policyOf(study))
        .memoryMB;
}

double studyBops(const StoredStudy& study, const BitConfig& bits)
{
    return computeCost(study.layers, bits, *makeQuantizer(parseQuantizerKind(study.spec.quantizer)), policyOf(study))
        .bops;
}

StudyCosts::StudyCosts(StoredStudy study, const std::vector<TrialRow>& trials) : study_(std::move(study))
{
    for (const TrialRow& t : trials)
        if (t.status == TrialStatus::Done && t.memoryMB && t.bops)
            reported_[t.bits] = {*t.memoryMB, *t.bops};
}

double StudyCosts::memoryMB(const BitConfig& bits) const
{
    const auto found = reported_.find(bits);
    return found != reported_.end() ? found->second.first : studyMemoryMB(study_, bits);
}

double StudyCosts::bops(const BitConfig& bits) const
{
    const auto found = reported_.find(bits);
    return found != reported_.end() ? found->second.second : studyBops(study_, bits);
}

StudyResults computeStudyResults(const StoredStudy& study, const std::vector<TrialRow>& trials, size_t top,
                                 std::shared_ptr<const StudySurrogate> surrogate)
{
    StudyResults results;
    const StudySpec& spec = study.spec;
    results.targetTask = spec.targetTask();
    const size_t n = study.layers.size();
    const auto encoding = makeEncoding(spec.encoding, n);
    const auto costs = std::make_shared<const StudyCosts>(study, trials);
    results.costs = costs;
    auto point = [&](const BitConfig& bits) {
        ResultPoint p;
        p.bits = bits;
        p.memoryMB = costs->memoryMB(bits);
        p.bops = costs->bops(bits);
        return p;
    };

    // Observed target-task accuracy per configuration (mean of repeats).
    std::map<BitConfig, std::pair<double, int>> observed;
    for (const TrialRow& t : trials) {
        if (t.status == TrialStatus::Done && t.task == results.targetTask) {
            auto& [sum, count] = observed[t.bits];
            sum += *t.accuracy;
            ++count;
        }
    }

    if (!surrogate)
        surrogate = std::make_shared<const StudySurrogate>(study, trials);
    results.surrogate = surrogate;
    const MultiTaskGP* model = surrogate->gp();
    results.hasSurrogate = model != nullptr;
    auto predict = [&](std::vector<ResultPoint>& points) {
        if (!model || points.empty())
            return;
        Eigen::MatrixXd inputs(Eigen::Index(points.size()), encoding->dim());
        for (size_t i = 0; i < points.size(); ++i)
            inputs.row(Eigen::Index(i)) = encoding->encode(points[i].bits).transpose();
        const std::vector<AccuracyInterval> p = surrogate->predictIntervals(inputs, results.targetTask);
        for (size_t i = 0; i < points.size(); ++i) {
            points[i].predicted = p[i].median;
            points[i].sd = p[i].equivalentSd;
            points[i].lower = p[i].lower;
            points[i].upper = p[i].upper;
        }
    };
    auto finish = [&](ResultPoint& p) {
        const auto found = observed.find(p.bits);
        p.observed = found != observed.end();
        p.accuracy = p.observed ? found->second.first / found->second.second : p.predicted.value_or(0);
        p.effectiveAccuracy = effectiveAccuracy(p.accuracy, bitSum(p.bits), n, spec.effectiveK);
    };

    std::vector<ResultPoint> observedPoints;
    for (const auto& [config, value] : observed)
        observedPoints.push_back(point(config));
    predict(observedPoints);
    for (ResultPoint& p : observedPoints)
        finish(p);
    results.observedFront = frontOf(observedPoints);

    for (int b : {8, 4, 3, 2})
        results.baselines.push_back(point(BitConfig::uniform(b, n)));
    predict(results.baselines);
    for (ResultPoint& p : results.baselines)
        finish(p);
    // Before the model has two trials an unmeasured baseline has no accuracy to show.
    results.baselines.erase(std::remove_if(results.baselines.begin(), results.baselines.end(),
                                           [](const ResultPoint& p) { return !p.observed && !p.predicted; }),
                            results.baselines.end());

    if (model) {
        CandidatePool pool(*encoding);
        fillStudyCandidates(pool);
        for (const auto& [config, value] : observed)
            pool.add(config);
        std::vector<ResultPoint> candidates;
        for (size_t c = 0; c < pool.size(); ++c)
            candidates.push_back(point(pool.bits(c)));
        predict(candidates);
        for (ResultPoint& p : candidates) {
            finish(p);
            // The predicted front is about the model: rank every point by its posterior mean.
            p.accuracy = *p.predicted;
            p.effectiveAccuracy = effectiveAccuracy(p.accuracy, bitSum(p.bits), n, spec.effectiveK);
        }
        results.predictedFront = frontOf(candidates);
        std::sort(candidates.begin(), candidates.end(),
                  [](const ResultPoint& a, const ResultPoint& b) { return a.effectiveAccuracy > b.effectiveAccuracy; });
        candidates.resize(std::min(top, candidates.size()));
        results.ranking = candidates;

        // Leave-one-out error on the target-task trials, in accuracy units.
        double squared = 0, absolute = 0, inside = 0;
        results.checks = surrogate->leaveOneOut();
        for (const LeaveOneOutCheck& c : results.checks) {
            if (c.task != results.targetTask)
                continue;
            const double error = c.predicted.median - c.measured;
            squared += error * error;
            absolute += std::abs(error);
            inside += c.measured >= c.predicted.lower && c.measured <= c.predicted.upper;
            ++results.predictionError.trials;
        }
        if (results.predictionError.trials < PredictionError::kMinimumTrials)
            results.predictionError = PredictionError{};
        if (results.predictionError.trials > 0) {
            const double count = results.predictionError.trials;
            results.predictionError.rmse = std::sqrt(squared / count);
            results.predictionError.meanAbsolute = absolute / count;
            results.predictionError.withinInterval = inside / count;
        }
    }
    return results;
}

} // namespace quantscope
