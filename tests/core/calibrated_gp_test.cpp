// The calibrated posterior (issue 11): priors and their gradients, the accuracy transform, the
// initial design, and a fit on the few similar points a real study starts with.
#include "common/error.h"
#include "gp/accuracy_transform.h"
#include "gp/mtgp_fit.h"
#include "gp/mtgp_prior.h"
#include "gp/multitask_gp.h"
#include "gp/slice_sampler.h"
#include "search/candidates.h"
#include "search/encoding.h"
#include "search/initial_design.h"
#include "study/study_spec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace quantscope {
namespace {

TEST(MtgpPrior, GradientMatchesCentralFiniteDifferences)
{
    MtgpParameterLayout layout;
    layout.inputDim = 3;
    layout.taskCount = 4;
    layout.rank = 2;
    layout.inputWarping = true;
    layout.specificKernel = true;
    MtgpPrior prior = MtgpPrior::defaults(layout, Eigen::Vector4d(-1, 0, 0.5, 1), Eigen::Vector4d::Constant(0.01));
    prior.taskScale = Eigen::Vector4d(2.0, 0.5, 0.1, 0.04);  // each task's own range
    prior.taskMeanSds = Eigen::Vector4d(1.0, 0.3, 0.5, 1.0); // unobserved tasks between observed ones
    std::mt19937_64 rng(5);
    std::normal_distribution<double> normal(0, 1);
    Eigen::VectorXd theta(layout.size());
    for (Eigen::Index i = 0; i < theta.size(); ++i)
        theta[i] = normal(rng);
    Eigen::MatrixXd anchors = Eigen::MatrixXd::Zero(4, 4); // task 1 unobserved between tasks 0 and 2
    anchors(1, 0) = 0.25;
    anchors(1, 2) = 0.75;
    for (int variant = 0; variant < 4; ++variant) {
        MtgpPrior p = prior;
        const bool meansOnly = variant % 2 == 1;
        p.meansOnly = meansOnly;
        if (variant >= 2)
            p.taskMeanAnchors = anchors;
        Eigen::VectorXd gradient = Eigen::VectorXd::Zero(theta.size());
        p.negativeLogDensity(layout, theta, &gradient);
        for (Eigen::Index i = 0; i < theta.size(); ++i) {
            Eigen::VectorXd plus = theta, minus = theta;
            plus[i] += 1e-6;
            minus[i] -= 1e-6;
            const double numeric =
                (p.negativeLogDensity(layout, plus, nullptr) - p.negativeLogDensity(layout, minus, nullptr)) / 2e-6;
            EXPECT_NEAR(gradient[i], numeric, 1e-6 * std::max(1.0, std::abs(numeric)))
                << "parameter " << i << ", variant " << variant;
            if (meansOnly && i < layout.size() - layout.taskCount) {
                EXPECT_EQ(gradient[i], 0.0) << "ML-II has no prior on parameter " << i;
            }
        }
    }
    // The density is lowest (-log highest) at the centres.
    MtgpHyperparameters centre;
    centre.kernel.lengthscales = prior.logLengthscale.array().exp();
    centre.taskFactor = prior.taskScale.cwiseSqrt() * Eigen::RowVector2d::Constant(prior.taskFactorMean);
    centre.taskDiagonal = prior.taskScale * std::exp(prior.logTaskDiagonal);
    centre.noiseVariance = prior.logNoise.array().exp();
    centre.taskMean = prior.taskMean;
    EXPECT_NEAR(prior.negativeLogDensity(layout, layout.pack(centre), nullptr), 0.0, 1e-12);
}

TEST(AccuracyTransform, RoundTripsAndStaysInsideZeroToHundred)
{
    const AccuracyTransform logit;
    for (double a : {0.5, 10.0, 19.5, 50.0, 86.6, 92.55, 99.5})
        EXPECT_NEAR(logit.toAccuracy(logit.toLatent(a)), a, 1e-9) << a;
    EXPECT_TRUE(std::isfinite(logit.toLatent(0.0)));
    EXPECT_TRUE(std::isfinite(logit.toLatent(100.0)));
    EXPECT_LT(logit.toLatent(0.0), logit.toLatent(1.0));
    for (double sd : {0.0, 0.1, 3.0, 50.0}) {
        const AccuracyInterval i = logit.interval(logit.toLatent(92.0), sd);
        EXPECT_GE(i.lower, 0.0);
        EXPECT_LE(i.upper, 100.0);
        EXPECT_LE(i.lower, i.median);
        EXPECT_LE(i.median, i.upper);
        EXPECT_NEAR(i.median, 92.0, 1e-9);
    }
    const AccuracyTransform identity(AccuracyTransform::Kind::Identity);
    EXPECT_EQ(identity.toLatent(120.0), 120.0);
    EXPECT_NEAR(identity.interval(90, 1).upper, 90 + 1.959963984540054, 1e-12);
}

TEST(AccuracyTransform, ExpectedExcessMatchesClosedFormAndMonteCarlo)
{
    const AccuracyTransform identity(AccuracyTransform::Kind::Identity);
    // E[max(0, X - 0)] for X ~ N(0, 1) is 1 / sqrt(2 pi).
    EXPECT_NEAR(identity.expectedExcess(0, 1, 0), 1 / std::sqrt(2 * M_PI), 1e-12);
    const AccuracyTransform logit;
    std::mt19937_64 rng(3);
    std::normal_distribution<double> normal(0, 1);
    for (const auto& [mean, sd, threshold] : {std::tuple{2.0, 0.5, 85.0}, std::tuple{0.0, 1.5, 60.0},
                                              std::tuple{2.4, 0.05, 95.0}, std::tuple{-1.0, 2.0, 5.0}}) {
        double sum = 0;
        const int n = 400000;
        for (int i = 0; i < n; ++i)
            sum += std::max(0.0, logit.toAccuracy(mean + sd * normal(rng)) - threshold);
        EXPECT_NEAR(logit.expectedExcess(mean, sd, threshold), sum / n, 0.01 + 0.01 * sum / n)
            << mean << " " << sd << " " << threshold;
    }
}

TEST(AccuracyTransform, LogDensityIntegratesToOneOverAccuracy)
{
    const AccuracyTransform logit;
    double integral = 0;
    const double h = 0.001;
    for (double a = 0.1 + h / 2; a < 99.9; a += h)
        integral += std::exp(logit.logDensity(a, 1.5, 0.4)) * h;
    EXPECT_NEAR(integral, 1.0, 1e-3);
}

TEST(NormalMixture, OneComponentIsTheNormal)
{
    const NormalMixture one = NormalMixture::single(0.7, 0.09);
    EXPECT_NEAR(one.quantile(0.975), 0.7 + 1.959963984540054 * 0.3, 1e-8);
    EXPECT_NEAR(one.quantile(0.5), 0.7, 1e-9);
    EXPECT_NEAR(one.logDensity(1.0), -0.5 - std::log(0.3 * std::sqrt(2 * M_PI)), 1e-12);
    const AccuracyTransform logit;
    const AccuracyInterval closed = logit.interval(0.7, 0.3);
    const AccuracyInterval mixed = logit.interval(one);
    EXPECT_DOUBLE_EQ(mixed.median, closed.median);
    EXPECT_DOUBLE_EQ(mixed.lower, closed.lower);
    EXPECT_DOUBLE_EQ(mixed.upper, closed.upper);
}

// Components that disagree: the interval is the mixture's own, which a normal with the same
// moments misstates in both directions.
TEST(NormalMixture, QuantilesAndDensityAreTheMixturesOwn)
{
    const NormalMixture apart((Eigen::VectorXd(2) << -1, 1).finished(), (Eigen::VectorXd(2) << 0.25, 0.25).finished());
    const NormalMixture spreads((Eigen::VectorXd(3) << 0, 0, 0.2).finished(),
                                (Eigen::VectorXd(3) << 0.25, 4, 1).finished());
    for (const NormalMixture* m : {&apart, &spreads}) {
        for (double p : {1e-6, 0.025, 0.3, 0.5, 0.975, 1 - 1e-6})
            EXPECT_NEAR(m->cdf(m->quantile(p)), p, 1e-9) << p;
        double integral = 0;
        for (double x = -30; x < 30; x += 1e-3)
            integral += std::exp(m->logDensity(x)) * 1e-3;
        EXPECT_NEAR(integral, 1.0, 1e-6);
    }
    const double z = 1.959963984540054;
    EXPECT_NEAR(apart.variance(), 1.25, 1e-12);
    EXPECT_LT(apart.quantile(0.975), z * std::sqrt(apart.variance()) - 0.2);                      // bimodal: narrower
    EXPECT_GT(spreads.quantile(0.975), spreads.mean() + z * std::sqrt(spreads.variance()) + 0.1); // heavy tails: wider
    EXPECT_TRUE(std::isfinite(apart.logDensity(1e6)));
    EXPECT_THROW(apart.quantile(1.0), ConfigError);
    EXPECT_THROW(NormalMixture(Eigen::VectorXd::Zero(2), Eigen::VectorXd::Zero(2)), NumericalError);
}

// A trend added back to a posterior moves every quantile and the density by the same offset.
TEST(NormalMixture, ShiftedMovesQuantilesAndDensity)
{
    const NormalMixture m((Eigen::VectorXd(2) << -1, 0.5).finished(), (Eigen::VectorXd(2) << 0.25, 2).finished());
    const NormalMixture moved = m.shifted(0.75);
    for (double p : {0.025, 0.5, 0.975})
        EXPECT_NEAR(moved.quantile(p), m.quantile(p) + 0.75, 1e-8) << p;
    EXPECT_NEAR(moved.logDensity(0.3), m.logDensity(0.3 - 0.75), 1e-12);
    EXPECT_NEAR(moved.mean(), m.mean() + 0.75, 1e-12);
    EXPECT_NEAR(moved.variance(), m.variance(), 1e-12);
}

TEST(InitialDesign, CoversBothEndsAndPutsTheTargetOnDesignedConfigurations)
{
    const auto encoding = makeEncoding("bezier2", 9);
    CandidatePool pool(*encoding);
    fillGrid(pool, 17);
    std::vector<double> sums;
    for (size_t c = 0; c < pool.size(); ++c)
        sums.push_back(bitSum(pool.bits(c)));
    const auto plan = planInitialDesign(pool.inputs(), sums, {{0, 6}, {3, 2}}, 4);
    ASSERT_EQ(plan.size(), 8u);
    std::vector<size_t> cheap, target;
    for (const auto& [c, task] : plan)
        (task == 0 ? cheap : target).push_back(c);
    ASSERT_EQ(cheap.size(), 6u);
    ASSERT_EQ(target.size(), 2u);
    EXPECT_EQ(pool.bits(cheap[0]), BitConfig::uniform(8, 9));
    EXPECT_EQ(pool.bits(cheap[1]), BitConfig::uniform(1, 9));
    for (size_t c : target)
        EXPECT_NE(std::find(cheap.begin(), cheap.end(), c), cheap.end()) << "target on a cheap-task configuration";
    EXPECT_EQ(pool.bits(target[0]), BitConfig::uniform(8, 9));
    // Both target evaluations come within the first four, each after its configuration's cheap one.
    EXPECT_EQ(plan[1], std::make_pair(cheap[0], 3));
    EXPECT_EQ(plan[3].second, 3);
    // Space-filling: no two cheap-task configurations closer than a quarter of the box diagonal.
    for (size_t i = 0; i < cheap.size(); ++i)
        for (size_t j = i + 1; j < cheap.size(); ++j)
            EXPECT_GT((pool.input(cheap[i]) - pool.input(cheap[j])).norm(), 0.25 * std::sqrt(3.0));
    EXPECT_THROW(planInitialDesign(pool.inputs(), sums, {{4, 1}}, 4), ConfigError);
}

TEST(MtgpData, RepeatVarianceIsThePooledSpreadOfReEvaluations)
{
    MtgpData data;
    data.inputs.resize(0, 2);
    for (double y : {1.0, 1.2})
        data.append(Eigen::Vector2d(0.1, 0.2), 0, y);
    for (double y : {2.0, 2.4, 2.2})
        data.append(Eigen::Vector2d(0.5, 0.5), 0, y);
    data.append(Eigen::Vector2d(0.5, 0.5), 1, 3.0); // another task: not a repeat
    data.append(Eigen::Vector2d(0.9, 0.9), 0, 5.0);
    const Eigen::VectorXd v = data.repeatVariance(2);
    EXPECT_NEAR(v[0], (0.02 + 0.08) / 3, 1e-12);
    EXPECT_EQ(v[1], 0.0);
    // The fit's noise stays above half of it.
    MtgpFitOptions options;
    options.seed = 2;
    const MtgpFitReport report = fitMtgp(data, 2, 2, options);
    EXPECT_GE(report.hyperparameters.noiseVariance[0], 0.5 * v[0] * (1 - 1e-9));
}

TEST(MtgpData, TaskVarianceIsEachTasksSampleVarianceOnceItHasEnoughObservations)
{
    MtgpData data;
    data.inputs.resize(0, 1);
    for (double y : {1.0, 2.0, 3.0, 6.0})
        data.append(Eigen::VectorXd::Constant(1, y / 10), 0, y);
    for (double y : {4.0, 5.0})
        data.append(Eigen::VectorXd::Constant(1, y / 10), 1, y);
    const Eigen::VectorXd v = data.taskVariance(3, 3);
    EXPECT_NEAR(v[0], (4.0 + 1.0 + 0.0 + 9.0) / 3, 1e-12); // mean 3
    EXPECT_EQ(v[1], 0.0);                                  // two observations: fewer than asked
    EXPECT_EQ(v[2], 0.0);                                  // none
    EXPECT_NEAR(data.taskVariance(2)[1], 0.5, 1e-12);
}

TEST(MtgpData, PairedVarianceRatioComparesTasksAtTheInputsBothObserved)
{
    // Task 1 is task 0 scaled by 0.2 at the inputs both saw (x = 0, 0.5, 1; task 1 repeated at
    // x = 1, its mean counted); inputs only one task saw do not count.
    MtgpData data;
    data.inputs.resize(0, 1);
    for (double x : {0.0, 0.25, 0.5, 1.0})
        data.append(Eigen::VectorXd::Constant(1, x), 0, 10 * x);
    data.append(Eigen::VectorXd::Constant(1, 0.0), 1, 0.0);
    data.append(Eigen::VectorXd::Constant(1, 0.5), 1, 1.0);
    data.append(Eigen::VectorXd::Constant(1, 1.0), 1, 1.9);
    data.append(Eigen::VectorXd::Constant(1, 1.0), 1, 2.1);
    data.append(Eigen::VectorXd::Constant(1, 0.75), 1, 50.0); // not seen on task 0
    EXPECT_NEAR(data.pairedVarianceRatio(1, 0), 0.04, 1e-12);
    EXPECT_NEAR(data.pairedVarianceRatio(0, 1), 25.0, 1e-9);
    // Task 0's variance over the shared inputs (0, 5, 10) is 25: a smaller spread is refused.
    EXPECT_NEAR(data.pairedVarianceRatio(1, 0, 24.0), 0.04, 1e-12);
    EXPECT_EQ(data.pairedVarianceRatio(1, 0, 25.0), 0.0);
    EXPECT_EQ(data.pairedVarianceRatio(2, 0), 0.0); // no observations
    MtgpData one = data;
    one.append(Eigen::VectorXd::Constant(1, 0.25), 2, 3.0); // one shared input
    EXPECT_EQ(one.pairedVarianceRatio(2, 0), 0.0);
}

TEST(SliceSampler, DrawsFromAKnownDensity)
{
    // A normal with mean 1 and sd 0.5 in the first coordinate, truncated to [-1, 0] in the second.
    const auto logDensity = [](const Eigen::VectorXd& x) { return -0.5 * std::pow((x[0] - 1) / 0.5, 2); };
    std::mt19937_64 rng(9);
    const auto samples = sliceSample(logDensity, Eigen::Vector2d(0, -0.5), Eigen::Vector2d(-10, -1),
                                     Eigen::Vector2d(10, 0), 4000, 50, 1, rng);
    ASSERT_EQ(samples.size(), 4000u);
    double mean = 0, square = 0;
    for (const Eigen::VectorXd& x : samples) {
        mean += x[0] / 4000;
        square += x[0] * x[0] / 4000;
        EXPECT_GE(x[1], -1.0);
        EXPECT_LE(x[1], 0.0);
    }
    EXPECT_NEAR(mean, 1.0, 0.05);
    EXPECT_NEAR(std::sqrt(square - mean * mean), 0.5, 0.05);
}

TEST(AveragedPosterior, OneSampleIsTheClosedFormAndMoreSamplesMixTheirNormals)
{
    MtgpData data;
    data.inputs.resize(0, 2);
    for (int i = 0; i < 8; ++i)
        data.append(Eigen::Vector2d(0.1 * i, 0.05 * i * i), i % 2, std::sin(double(i)));
    MtgpFitOptions options;
    options.posteriorSamples = 6;
    options.seed = 4;
    const MtgpFitReport report = fitMtgp(data, 2, 2, options);
    ASSERT_EQ(report.samples.size(), 6u);
    const Eigen::MatrixXd queries = (Eigen::MatrixXd(3, 2) << 0.2, 0.1, 0.9, 0.9, 0.5, 0.3).finished();
    const std::vector<int> tasks = {0, 1, 1};
    const std::vector<MultiTaskGP> one = {MultiTaskGP(report.hyperparameters, data)};
    const Posterior closed = one.front().predict(queries, tasks);
    const std::vector<NormalMixture> averaged = predictiveMixtures(one, queries, tasks, false);
    const std::vector<NormalMixture> noisy = predictiveMixtures(one, queries, tasks, true);
    for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR(averaged[size_t(i)].mean(), closed.mean[i], 1e-12);
        EXPECT_NEAR(averaged[size_t(i)].variance(), closed.variance[i], 1e-12);
        EXPECT_NEAR(noisy[size_t(i)].variance(),
                    closed.variance[i] + report.hyperparameters.noiseVariance[tasks[size_t(i)]], 1e-12);
    }

    std::vector<MultiTaskGP> many;
    for (const MtgpHyperparameters& h : report.samples)
        many.emplace_back(h, data);
    const std::vector<NormalMixture> mixed = predictiveMixtures(many, queries, tasks, false);
    for (int i = 0; i < 3; ++i) {
        double mean = 0, variance = 0, cdfAtZero = 0;
        for (const MultiTaskGP& m : many)
            mean += m.predict(queries.row(i), {tasks[size_t(i)]}).mean[0] / 6;
        for (const MultiTaskGP& m : many) {
            const Posterior p = m.predict(queries.row(i), {tasks[size_t(i)]});
            variance += (p.variance[0] + (p.mean[0] - mean) * (p.mean[0] - mean)) / 6;
            cdfAtZero += 0.5 * std::erfc(p.mean[0] / std::sqrt(2 * p.variance[0])) / 6;
        }
        EXPECT_EQ(mixed[size_t(i)].size(), 6);
        EXPECT_NEAR(mixed[size_t(i)].mean(), mean, 1e-9);
        EXPECT_NEAR(mixed[size_t(i)].variance(), variance, 1e-9);
        EXPECT_NEAR(mixed[size_t(i)].cdf(0.0), cdfAtZero, 1e-12);
    }
    // Samples differ (the sampler moves), and their leave-one-out mixes the same way.
    EXPECT_NE(report.samples.front().kernel.lengthscales, report.samples.back().kernel.lengthscales);
    EXPECT_EQ(leaveOneOutMixtures(many).size(), size_t(data.size()));
}

// A study's first data: several high-bit configurations measured alike on the cheap task and one
// target trial. ML-II collapsed here to one flat value with no variance and no task correlation;
// the MAP fit on the logit scale must stay uncertain away from the data, keep the tasks
// correlated and never leave [0, 100].
TEST(MtgpFit, FewSimilarPointsKeepAnHonestPosterior)
{
    const AccuracyTransform logit;
    MtgpData data;
    data.inputs.resize(0, 3);
    const double cheap[] = {92.3, 92.6, 92.1, 92.8, 92.4};
    for (int i = 0; i < 5; ++i)
        data.append(Eigen::Vector3d(0.75 + 0.05 * i, 0.8 + 0.04 * (i % 3), 0.7 + 0.06 * i), 0,
                    logit.toLatent(cheap[i]));
    data.append(Eigen::Vector3d(0.85, 0.85, 0.85), 3, logit.toLatent(92.55));
    MtgpFitOptions options = accuracyFitOptions(logit);
    options.seed = 1;
    const MtgpFitReport report = fitMtgp(data, 3, 4, options);
    const MultiTaskGP gp(report.hyperparameters, data);
    EXPECT_GT(report.hyperparameters.taskCorrelation()(0, 3), 0.3);

    const Eigen::MatrixXd far = Eigen::RowVector3d(0.0, 0.0, 0.0);
    for (int task : {0, 3}) {
        const Posterior p = gp.predict(far, {task});
        const AccuracyInterval at = logit.interval(p.mean[0], std::sqrt(p.variance[0]));
        EXPECT_GT(at.upper - at.lower, 10.0) << "task " << task << ": all-1-bit is far from every observation";
        EXPECT_GE(at.lower, 0.0);
        EXPECT_LE(at.upper, 100.0);
    }
    const Posterior near = gp.predict(Eigen::RowVector3d(0.85, 0.85, 0.85), {3});
    EXPECT_NEAR(logit.toAccuracy(near.mean[0]), 92.55, 0.5);
}

/// Logit accuracies on two inputs: quantize only (task 0) at six configurations spanning 20-92.5 %,
/// task `target` at both corners, 86.6 and 92.3 %: quantization's range against fine-tuning's.
MtgpData cheapSpreadTargetNarrow(int target)
{
    const AccuracyTransform logit;
    MtgpData data;
    data.inputs.resize(0, 2);
    const double cheap[] = {92.5, 20.0, 85.0, 60.0, 90.0, 45.0};
    const double x[][2] = {{1, 1}, {0, 0}, {0.5, 0.6}, {0.2, 0.4}, {0.8, 0.7}, {0.3, 0.1}};
    for (int i = 0; i < 6; ++i)
        data.append(Eigen::Vector2d(x[i][0], x[i][1]), 0, logit.toLatent(cheap[i]));
    data.append(Eigen::Vector2d(1, 1), target, logit.toLatent(92.3));
    data.append(Eigen::Vector2d(0, 0), target, logit.toLatent(86.6));
    return data;
}

TEST(MtgpFit, EachTaskPriorRangeFollowsItsOwnData)
{
    // Quantize only spans tens of points; the fine-tuned target two: with its own range the
    // target's interval away from its two trials is several times narrower than with the pooled one.
    const AccuracyTransform logit;
    const MtgpData data = cheapSpreadTargetNarrow(2);
    const Eigen::MatrixXd middle = Eigen::RowVector2d(0.45, 0.55);
    double width[2];
    for (bool own : {false, true}) {
        MtgpFitOptions options = accuracyFitOptions(logit);
        options.taskScalesFromData = own;
        options.taskScalesFromPairs = false; // its own two trials' range (pairs: the test below)
        options.seed = 3;
        const MtgpFitReport report = fitMtgp(data, 2, 3, options);
        const Posterior p = MultiTaskGP(report.hyperparameters, data).predict(middle, {2});
        const AccuracyInterval at = logit.interval(p.mean[0], std::sqrt(p.variance[0]));
        width[own] = at.upper - at.lower;
        EXPECT_GT(at.median, 86.0) << (own ? "own" : "pooled");
        EXPECT_LT(at.median, 93.0) << (own ? "own" : "pooled");
    }
    EXPECT_LT(width[1], 0.5 * width[0]) << "own range " << width[1] << ", pooled " << width[0];
    EXPECT_GT(width[1], 3.0) << "two trials do not pin the target down between them";
}

TEST(MtgpFit, ATasksRangeComesFromTheConfigurationsItSharesWithQuantizeOnly)
{
    // A study's design measures the target at its extremes (all-8 and all-1-bit), where it spans
    // its whole range: the two points' variance overstates its spread over configurations
    // several times. Quantize only's spread at the same two configurations overstates its own
    // alike, so their ratio times quantize only's variance over all its trials does not
    // (logit units: quantize only 2.6 - 4 (1 - x)^2, the target 2.6 - 1.2 (1 - x)^2).
    const AccuracyTransform logit;
    const auto drop = [](double x) { return (1 - x) * (1 - x); };
    MtgpData data;
    data.inputs.resize(0, 1);
    for (int i = 0; i < 8; ++i)
        data.append(Eigen::VectorXd::Constant(1, i / 7.0), 0, 2.6 - 4.0 * drop(i / 7.0));
    for (double x : {0.0, 1.0})
        data.append(Eigen::VectorXd::Constant(1, x), 1, 2.6 - 1.2 * drop(x));
    const double x = 0.6, truth = logit.toAccuracy(2.6 - 1.2 * drop(x));
    double width[2];
    for (bool paired : {false, true}) {
        MtgpFitOptions options = accuracyFitOptions(logit);
        options.taskScalesFromPairs = paired;
        options.seed = 3;
        const MtgpFitReport report = fitMtgp(data, 1, 2, options);
        const Posterior p = MultiTaskGP(report.hyperparameters, data).predict(Eigen::MatrixXd::Constant(1, 1, x), {1});
        const AccuracyInterval at = logit.interval(p.mean[0], std::sqrt(p.variance[0]));
        width[paired] = at.upper - at.lower;
        EXPECT_LT(at.lower, truth) << (paired ? "paired" : "own");
        EXPECT_GT(at.upper, truth) << (paired ? "paired" : "own");
    }
    EXPECT_LT(width[1], 0.75 * width[0]) << "paired " << width[1] << ", own " << width[0];
}

TEST(MtgpFit, ATaskWithoutDataTakesItsPriorMeanBetweenItsNeighbours)
{
    // Tasks 0 and 2 observed, task 1 (between them on the budget axis) not: its mean is a prior
    // that no likelihood moves, placed along the budget axis between its neighbours' fitted means
    // instead of at the mean of all data (which task 0's many trials would dominate).
    const AccuracyTransform logit;
    MtgpData data;
    data.inputs.resize(0, 1);
    double sums[2] = {0, 0};
    for (int i = 0; i < 8; ++i) {
        const double y = logit.toLatent(40.0 + 6.0 * i);
        data.append(Eigen::VectorXd::Constant(1, i / 7.0), 0, y);
        sums[0] += y;
    }
    for (int i = 0; i < 2; ++i) {
        const double y = logit.toLatent(91.0 + i);
        data.append(Eigen::VectorXd::Constant(1, i), 2, y);
        sums[1] += y;
    }
    MtgpFitOptions options = accuracyFitOptions(logit);
    options.taskPositions = {0.0, 3.0, 4.0}; // a quarter of the way from task 2 down to task 0
    const MtgpFitReport report = fitMtgp(data, 1, 3, options);
    const Eigen::VectorXd& mean = report.hyperparameters.taskMean;
    EXPECT_NEAR(mean[1], 0.25 * mean[0] + 0.75 * mean[2], 0.02); // the optimiser's tolerance
    EXPECT_GT(report.hyperparameters.taskMean[1], (sums[0] + sums[1]) / 10 + 0.5);
}

TEST(MtgpFit, AnUnobservedBudgetSitsAtItsNeighboursFittedLevelNotTheirDataMean)
{
    // A search's target trials crowd where accuracy is high (here x >= 0.85 of a quantize-only
    // slope from 20 to 92 %), so the target's data mean overstates its level, which the fit
    // places lower through the correlated quantize-only trials. The 50-step budget, never seen,
    // must take that fitted level: from the data mean it would add the shared deviation twice and
    // predict a good configuration above the target (a study's what-if did: 97.3 % at 2 epochs
    // against 92.8 % at the target, docs/calibration.md).
    const AccuracyTransform logit;
    MtgpData data;
    data.inputs.resize(0, 1);
    for (int i = 0; i < 10; ++i)
        data.append(Eigen::VectorXd::Constant(1, i / 9.0), 0, logit.toLatent(20.0 + 72.0 * i / 9.0));
    double targetSum = 0;
    for (int i = 0; i < 4; ++i) {
        const double y = logit.toLatent(90.5 + 0.6 * i);
        data.append(Eigen::VectorXd::Constant(1, 0.85 + 0.05 * i), 2, y);
        targetSum += y;
    }
    MtgpFitOptions options = accuracyFitOptions(logit);
    options.taskPositions = {0.0, std::log(51.0), std::log(601.0)};
    options.taskGroups = {0, 1, 1};
    options.seed = 3;
    const MtgpFitReport report = fitMtgp(data, 1, 3, options);
    const Eigen::VectorXd& mean = report.hyperparameters.taskMean;
    EXPECT_LT(mean[2], targetSum / 4 - 0.2) << "the fitted level lies below the crowded trials' mean";
    EXPECT_NEAR(mean[1], mean[2], 0.02);
    const Posterior p = MultiTaskGP(report.hyperparameters, data).predict(Eigen::MatrixXd::Constant(2, 1, 1.0), {1, 2});
    // Centred on the target's data mean it sat above the target.
    EXPECT_LT(logit.toAccuracy(p.mean[0]), logit.toAccuracy(p.mean[1]) + 1.5)
        << "50 steps predicted well above 600 at the best configuration";
    MtgpHyperparameters fromDataMean = report.hyperparameters;
    fromDataMean.taskMean[1] = targetSum / 4;
    const Posterior before = MultiTaskGP(fromDataMean, data).predict(Eigen::MatrixXd::Constant(1, 1, 1.0), {1});
    EXPECT_LT(logit.toAccuracy(p.mean[0]), logit.toAccuracy(before.mean[0]) - 0.5);
}

TEST(MtgpFit, AnUnobservedFineTunedBudgetTakesTheFineTunedLevelAndRange)
{
    // Quantize only (6 trials, 20-92 %) and the 600-step target (two trials, 86.6 and 92.3 %) seen,
    // the 50- and 150-step budgets not. Grouped, a fine-tuned budget's prior mean is the target's
    // instead of a point between it and quantization alone, whose cliffs pull that down, and its
    // range the target's few points instead of one between them and quantize only's tens.
    const AccuracyTransform logit;
    const MtgpData data = cheapSpreadTargetNarrow(3);
    const Eigen::MatrixXd middle = Eigen::RowVector2d(0.6, 0.6);
    enum Variant { Ungrouped, AxisRanges, Grouped };
    AccuracyInterval interval[3], target;
    for (Variant variant : {Ungrouped, AxisRanges, Grouped}) {
        MtgpFitOptions options = accuracyFitOptions(logit);
        options.taskPositions = {0.0, std::log(51.0), std::log(151.0), std::log(601.0)};
        if (variant != Ungrouped)
            options.taskGroups = {0, 1, 1, 1};
        options.rangesFromGroup = variant == Grouped;
        options.posteriorSamples = 8;
        options.seed = 3;
        const MtgpFitReport report = fitMtgp(data, 2, 4, options);
        EXPECT_NEAR(report.hyperparameters.taskMean[1], report.hyperparameters.taskMean[3],
                    variant == Ungrouped ? 10.0 : 0.02);
        std::vector<MultiTaskGP> models;
        for (const MtgpHyperparameters& h : report.samples)
            models.emplace_back(h, data);
        interval[variant] = logit.interval(predictiveMixtures(models, middle, {1}, true).front());
        target = logit.interval(predictiveMixtures(models, middle, {3}, true).front());
    }
    EXPECT_GT(interval[AxisRanges].median, interval[Ungrouped].median + 1.0);
    const auto width = [](const AccuracyInterval& i) { return i.upper - i.lower; };
    EXPECT_LT(width(interval[Grouped]), 0.85 * width(interval[AxisRanges]))
        << "the range of quantization alone reaches a budget that fine-tuning repairs";
    // At the target's level (91.9 against 91.2 %): with a range reaching towards quantize only's,
    // the shared deviation lifted it to 93.3 %.
    EXPECT_NEAR(interval[Grouped].median, target.median, 1.0);
    EXPECT_GT(width(interval[Grouped]), 4.0) << "a budget never seen stays uncertain";
    EXPECT_LE(interval[Grouped].upper, 100.0);
}

TEST(MtgpFit, SliceSamplesDoubleEachTimeTheObservationsHalveUpToTheMost)
{
    MtgpFitOptions options;
    options.posteriorSamples = 8;
    options.sampleUpTo = 160;
    EXPECT_EQ(sliceSampleCount(options, 5), 8) << "no most: the same count at every size";
    options.mostPosteriorSamples = 32;
    EXPECT_EQ(sliceSampleCount(options, 161), 0) << "beyond sampleUpTo: no slice samples";
    EXPECT_EQ(sliceSampleCount(options, 160), 8);
    EXPECT_EQ(sliceSampleCount(options, 81), 8);
    EXPECT_EQ(sliceSampleCount(options, 80), 16);
    EXPECT_EQ(sliceSampleCount(options, 41), 16);
    EXPECT_EQ(sliceSampleCount(options, 40), 32);
    EXPECT_EQ(sliceSampleCount(options, 2), 32) << "never more than the most";
    options.mostPosteriorSamples = 4; // below posteriorSamples: posteriorSamples
    EXPECT_EQ(sliceSampleCount(options, 2), 8);
    options.posteriorSamples = 0;
    EXPECT_EQ(sliceSampleCount(options, 2), 0);

    // A fit draws that many: 12 observations against sampleUpTo 48, so 4 doubled twice.
    MtgpData data;
    data.inputs.resize(0, 2);
    for (int i = 0; i < 12; ++i)
        data.append(Eigen::Vector2d(0.08 * i, 0.05 * (i % 5)), i % 2, std::sin(double(i)));
    MtgpFitOptions fit;
    fit.posteriorSamples = 4;
    fit.mostPosteriorSamples = 16;
    fit.sampleUpTo = 48;
    fit.seed = 2;
    EXPECT_EQ(fitMtgp(data, 2, 2, fit).samples.size(), 16u);
}

TEST(MtgpFit, LaplaceSamplesSpreadLikeTheSliceSamplerWhereDataPinTheHyperparametersDown)
{
    // 60 noisy observations of a smooth function on two tasks: a posterior close to normal, where
    // the Laplace approximation should spread the hyperparameters as the slice sampler does.
    MtgpData data;
    data.inputs.resize(0, 2);
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> unit(0, 1);
    std::normal_distribution<double> noise(0, 0.05);
    for (int i = 0; i < 60; ++i) {
        const Eigen::Vector2d x(unit(rng), unit(rng));
        const int task = i % 2;
        data.append(x, task, std::sin(3 * x[0]) + 0.5 * x[1] + 0.3 * task + noise(rng));
    }
    MtgpFitOptions options;
    options.posteriorSamples = 100;
    options.seed = 2;
    const auto logLengthscaleSpread = [](const std::vector<MtgpHyperparameters>& samples, double& mean) {
        double sum = 0, squares = 0;
        for (const MtgpHyperparameters& h : samples) {
            const double v = std::log(h.kernel.lengthscales[0]);
            sum += v;
            squares += v * v;
        }
        mean = sum / double(samples.size());
        return std::sqrt(squares / double(samples.size()) - mean * mean);
    };
    options.sampleUpTo = 100; // slice sampling
    const MtgpFitReport sliced = fitMtgp(data, 2, 2, options);
    options.sampleUpTo = 10; // beyond: the MAP point alone, or the Laplace approximation
    EXPECT_TRUE(fitMtgp(data, 2, 2, options).samples.empty());
    options.laplaceBeyondSampling = true;
    const MtgpFitReport laplace = fitMtgp(data, 2, 2, options);
    ASSERT_EQ(laplace.samples.size(), 100u);
    for (const MtgpHyperparameters& h : laplace.samples)
        EXPECT_NO_THROW(h.validate());

    // Measured: log-lengthscale sd 0.196 (slice) and 0.162 (Laplace), means -0.57 and -0.53.
    double slicedMean = 0, laplaceMean = 0;
    const double slicedSd = logLengthscaleSpread(sliced.samples, slicedMean);
    const double laplaceSd = logLengthscaleSpread(laplace.samples, laplaceMean);
    EXPECT_GT(laplaceSd, 0.01) << "the samples spread";
    EXPECT_GT(laplaceSd, 0.5 * slicedSd);
    EXPECT_LT(laplaceSd, 2.0 * slicedSd);
    EXPECT_NEAR(laplaceMean, std::log(laplace.hyperparameters.kernel.lengthscales[0]),
                3 * laplaceSd / std::sqrt(100.0));
    EXPECT_NEAR(laplaceMean, slicedMean, 2 * (slicedSd + laplaceSd));
}

TEST(StudySpec, TaskPositionsAreLogBudgetsOrIndices)
{
    const StudySpec spec = StudySpec::defaults();
    const std::vector<double> positions = spec.taskAxis().positions;
    ASSERT_EQ(positions.size(), spec.tasks.size());
    for (size_t t = 0; t < positions.size(); ++t)
        EXPECT_DOUBLE_EQ(positions[t], std::log1p(double(spec.tasks[t].steps)));
    StudySpec same = spec;
    for (StudyTask& task : same.tasks)
        task.steps = 0; // tasks that differ in something other than steps (e.g. a command's budget)
    EXPECT_EQ(same.taskAxis().positions, (std::vector<double>{0, 1, 2, 3}));
}

TEST(StudySpec, TaskGroupsSetQuantizationAloneApartFromFineTuning)
{
    const StudySpec spec = StudySpec::defaults();
    EXPECT_EQ(spec.taskAxis().groups, (std::vector<int>{0, 1, 1, 1}));
    StudySpec same = spec;
    for (StudyTask& task : same.tasks)
        task.steps = 0;
    EXPECT_EQ(same.taskAxis().groups, (std::vector<int>{0, 0, 0, 0}));
}

} // namespace
} // namespace quantscope
