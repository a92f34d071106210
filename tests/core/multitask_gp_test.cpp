#include "common/error.h"
#include "gp/mtgp_fit.h"
#include "gp/mtgp_likelihood.h"
#include "gp/multitask_gp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace quantscope {
namespace {

MtgpHyperparameters hyper(int tasks, int dim, KernelKind kind, double lengthscale = 0.7)
{
    MtgpHyperparameters h;
    h.kernel.kind = kind;
    h.kernel.lengthscales = Eigen::VectorXd::Constant(dim, lengthscale);
    h.taskFactor = Eigen::MatrixXd::Zero(tasks, 1);
    h.taskDiagonal = Eigen::VectorXd::Ones(tasks);
    h.taskMean = Eigen::VectorXd::Zero(tasks);
    h.noiseVariance = Eigen::VectorXd::Constant(tasks, 0.1);
    return h;
}

MtgpData randomData(int n, int dim, int tasks, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0, 1);
    MtgpData data;
    data.inputs.resize(n, dim);
    data.targets.resize(n);
    for (int j = 0; j < n; ++j) {
        for (int i = 0; i < dim; ++i)
            data.inputs(j, i) = unit(rng);
        const int t = j % tasks;
        data.tasks.push_back(t);
        data.targets[j] = std::sin(3 * data.inputs(j, 0)) + 0.3 * t + 0.1 * unit(rng);
    }
    return data;
}

/// Textbook single-output GP with an explicit inverse: the independent reference.
Posterior plainGp(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::MatrixXd& xs,
                  const ArdKernel& kernel, double variance, double noise, double mean)
{
    Eigen::MatrixXd k = variance * kernel.matrix(x, x);
    k.diagonal().array() += noise;
    const Eigen::MatrixXd inverse = k.inverse();
    const Eigen::MatrixXd cross = variance * kernel.matrix(x, xs);
    Posterior p;
    p.mean = (cross.transpose() * inverse * (y.array() - mean).matrix()).array() + mean;
    p.variance = (variance - (cross.transpose() * inverse * cross).diagonal().array()).matrix();
    return p;
}

TEST(MultiTaskGP, MatchesHandComputedTwoPointPosterior)
{
    // One task, SE kernel with l = 1, B = 2, noise 0.1, mean 0; data (0, 1) and (1, -1).
    MtgpHyperparameters h = hyper(1, 1, KernelKind::SquaredExponential, 1.0);
    h.taskDiagonal[0] = 2.0;
    MtgpData data;
    data.inputs = (Eigen::MatrixXd(2, 1) << 0, 1).finished();
    data.tasks = {0, 0};
    data.targets = Eigen::Vector2d(1, -1);
    const MultiTaskGP gp(h, data);
    const Posterior p = gp.predict((Eigen::MatrixXd(1, 1) << 0.25).finished(), {0});
    // K = [[2.1, c], [c, 2.1]], c = 2 exp(-1/2); k* = 2 [exp(-1/32), exp(-9/32)].
    const double c = 2 * std::exp(-0.5);
    const double det = 2.1 * 2.1 - c * c;
    const double k1 = 2 * std::exp(-1.0 / 32), k2 = 2 * std::exp(-9.0 / 32);
    const double a1 = (2.1 * 1 - c * -1) / det, a2 = (-c * 1 + 2.1 * -1) / det; // K^-1 y
    EXPECT_NEAR(p.mean[0], k1 * a1 + k2 * a2, 1e-12);
    const double quad = (2.1 * k1 * k1 - 2 * c * k1 * k2 + 2.1 * k2 * k2) / det;
    EXPECT_NEAR(p.variance[0], 2.0 - quad, 1e-12);
    const double logDet = std::log(det);
    const double fit = 1 * a1 + -1 * a2;
    EXPECT_NEAR(gp.logMarginalLikelihood(), -0.5 * fit - 0.5 * logDet - std::log(2 * M_PI), 1e-12);
}

TEST(MultiTaskGP, OneTaskEqualsPlainGp)
{
    MtgpHyperparameters h = hyper(1, 3, KernelKind::Matern52, 0.4);
    h.taskFactor(0, 0) = 1.2; // B = 1.44 + 1
    h.taskMean[0] = 0.3;
    const MtgpData data = randomData(25, 3, 1, 4);
    const MultiTaskGP gp(h, data);
    const Eigen::MatrixXd xs = randomData(10, 3, 1, 5).inputs;
    const Posterior p = gp.predict(xs, std::vector<int>(10, 0));
    const Posterior reference = plainGp(data.inputs, data.targets, xs, h.kernel, 2.44, 0.1, 0.3);
    EXPECT_LT((p.mean - reference.mean).cwiseAbs().maxCoeff(), 1e-9);
    EXPECT_LT((p.variance - reference.variance).cwiseAbs().maxCoeff(), 1e-9);
}

TEST(MultiTaskGP, IdentityTaskCovarianceGivesIndependentGps)
{
    MtgpHyperparameters h = hyper(2, 2, KernelKind::SquaredExponential, 0.5);
    h.taskMean = Eigen::Vector2d(0.1, -0.2);
    h.noiseVariance = Eigen::Vector2d(0.05, 0.2);
    const MtgpData data = randomData(30, 2, 2, 6);
    const MultiTaskGP gp(h, data);
    const Eigen::MatrixXd xs = randomData(8, 2, 1, 7).inputs;
    for (int t = 0; t < 2; ++t) {
        std::vector<Eigen::Index> rows;
        for (Eigen::Index j = 0; j < data.size(); ++j)
            if (data.tasks[size_t(j)] == t)
                rows.push_back(j);
        const Eigen::MatrixXd x = data.inputs(rows, Eigen::all);
        const Eigen::VectorXd y = data.targets(rows);
        const Posterior p = gp.predict(xs, std::vector<int>(8, t));
        const Posterior reference = plainGp(x, y, xs, h.kernel, 1.0, h.noiseVariance[t], h.taskMean[t]);
        EXPECT_LT((p.mean - reference.mean).cwiseAbs().maxCoeff(), 1e-9) << "task " << t;
        EXPECT_LT((p.variance - reference.variance).cwiseAbs().maxCoeff(), 1e-9) << "task " << t;
    }
}

TEST(MultiTaskGP, CorrelatedTasksShareInformation)
{
    MtgpHyperparameters h = hyper(2, 1, KernelKind::SquaredExponential, 0.3);
    h.taskFactor = Eigen::Vector2d(1.0, 1.0);
    h.taskDiagonal = Eigen::Vector2d(0.01, 0.01);
    MtgpData data;
    data.inputs = (Eigen::MatrixXd(1, 1) << 0.5).finished();
    data.tasks = {0};
    data.targets = Eigen::VectorXd::Constant(1, 1.0);
    const MultiTaskGP gp(h, data);
    // Observing task 0 at 0.5 moves task 1's belief there almost as much.
    const Posterior p = gp.predict((Eigen::MatrixXd(1, 1) << 0.5).finished(), {1});
    EXPECT_GT(p.mean[0], 0.85);
    EXPECT_LT(p.variance[0], 0.2);
    EXPECT_NEAR(h.taskCorrelation()(0, 1), 1.0 / 1.01, 1e-12);
}

TEST(MultiTaskGP, IncrementalObservationEqualsRefit)
{
    MtgpHyperparameters h = hyper(3, 2, KernelKind::Matern52);
    h.taskFactor = Eigen::Vector3d(0.9, 0.8, 0.5);
    const MtgpData data = randomData(20, 2, 3, 8);
    MtgpData head = data;
    head.inputs.conservativeResize(15, 2);
    head.targets.conservativeResize(15);
    head.tasks.resize(15);
    MultiTaskGP incremental(h, head);
    for (Eigen::Index j = 15; j < 20; ++j)
        incremental.addObservation(data.inputs.row(j).transpose(), data.tasks[size_t(j)], data.targets[j]);
    const MultiTaskGP full(h, data);
    const Eigen::MatrixXd xs = randomData(6, 2, 1, 9).inputs;
    const std::vector<int> tasks = {0, 1, 2, 0, 1, 2};
    EXPECT_LT((incremental.predict(xs, tasks).mean - full.predict(xs, tasks).mean).cwiseAbs().maxCoeff(), 1e-9);
    EXPECT_LT((incremental.predict(xs, tasks).variance - full.predict(xs, tasks).variance).cwiseAbs().maxCoeff(), 1e-9);
    EXPECT_NEAR(incremental.logMarginalLikelihood(), full.logMarginalLikelihood(), 1e-9);
}

TEST(MultiTaskGP, PosteriorCovarianceDiagonalIsTheVariance)
{
    MtgpHyperparameters h = hyper(2, 2, KernelKind::Matern52);
    h.taskFactor = Eigen::Vector2d(0.7, 0.6);
    const MultiTaskGP gp(h, randomData(12, 2, 2, 10));
    const Eigen::MatrixXd xs = randomData(5, 2, 1, 11).inputs;
    const std::vector<int> tasks = {0, 1, 1, 0, 1};
    const Eigen::MatrixXd cov = gp.posteriorCovariance(xs, tasks, xs, tasks);
    EXPECT_LT((cov.diagonal() - gp.predict(xs, tasks).variance).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((cov - cov.transpose()).cwiseAbs().maxCoeff(), 1e-12);
}

class LikelihoodGradient : public ::testing::TestWithParam<std::tuple<KernelKind, int, bool, bool>> {};

TEST_P(LikelihoodGradient, MatchesCentralFiniteDifferences)
{
    const auto [kind, rank, warping, specific] = GetParam();
    MtgpParameterLayout layout;
    layout.inputDim = 3;
    layout.taskCount = 3;
    layout.rank = rank;
    layout.kernel = kind;
    layout.inputWarping = warping;
    layout.specificKernel = specific;
    const MtgpData data = randomData(24, 3, 3, 12);
    std::mt19937_64 rng(13);
    std::normal_distribution<double> normal(0, 0.3);
    Eigen::VectorXd theta(layout.size());
    for (Eigen::Index i = 0; i < theta.size(); ++i)
        theta[i] = normal(rng);
    theta.head(3).array() += std::log(0.5); // lengthscales near 0.5
    if (specific)
        theta.segment(layout.kernelSize(), layout.inputDim).array() += std::log(0.5);
    theta.segment(layout.kernelsSize() + 3 * rank + 3, 3).array() += -3; // noise near 0.05
    Eigen::VectorXd gradient;
    mtgpNegativeLogLikelihood(data, layout, theta, &gradient);
    for (Eigen::Index i = 0; i < theta.size(); ++i) {
        const double step = 1e-6;
        Eigen::VectorXd plus = theta, minus = theta;
        plus[i] += step;
        minus[i] -= step;
        const double numeric = (mtgpNegativeLogLikelihood(data, layout, plus, nullptr)
                                - mtgpNegativeLogLikelihood(data, layout, minus, nullptr))
            / (2 * step);
        EXPECT_NEAR(gradient[i], numeric, 1e-5 * std::max(1.0, std::abs(numeric))) << "parameter " << i;
    }
    // The likelihood at theta agrees with the conditioned model's.
    const MultiTaskGP gp(layout.unpack(theta), data);
    EXPECT_NEAR(-mtgpNegativeLogLikelihood(data, layout, theta, nullptr), gp.logMarginalLikelihood(), 1e-8);
}

INSTANTIATE_TEST_SUITE_P(Kernels, LikelihoodGradient,
                         ::testing::Values(std::make_tuple(KernelKind::SquaredExponential, 1, false, false),
                                           std::make_tuple(KernelKind::Matern52, 2, false, false),
                                           std::make_tuple(KernelKind::Matern52, 3, false, false),
                                           std::make_tuple(KernelKind::SquaredExponential, 2, true, false),
                                           std::make_tuple(KernelKind::Matern52, 3, true, false),
                                           std::make_tuple(KernelKind::SquaredExponential, 2, false, true),
                                           std::make_tuple(KernelKind::Matern52, 3, true, true)),
                         [](const auto& info) {
                             return kernelName(std::get<0>(info.param)) + "_rank"
                                 + std::to_string(std::get<1>(info.param)) + (std::get<2>(info.param) ? "_warped" : "")
                                 + (std::get<3>(info.param) ? "_specific" : "");
                         });

TEST(MtgpFit, LearnsCorrelatedTasksAndImprovesTheLikelihood)
{
    // Task 1 is task 0 shifted; task 2 is unrelated noise-free structure.
    MtgpData data;
    std::mt19937_64 rng(14);
    std::uniform_real_distribution<double> unit(0, 1);
    std::normal_distribution<double> noise(0, 0.02);
    data.inputs.resize(60, 2);
    data.targets.resize(60);
    for (int j = 0; j < 60; ++j) {
        const double a = unit(rng), b = unit(rng);
        data.inputs.row(j) << a, b;
        const int t = j % 3;
        data.tasks.push_back(t);
        data.targets[j] = (t == 2 ? std::cos(7 * b) : std::sin(4 * a) + 0.5 * t) + noise(rng);
    }
    MtgpFitOptions options;
    options.seed = 1;
    const MtgpFitReport fit = fitMtgp(data, 2, 3, options);
    const Eigen::MatrixXd correlation = fit.hyperparameters.taskCorrelation();
    EXPECT_GT(correlation(0, 1), 0.9);
    EXPECT_LT(std::abs(correlation(0, 2)), std::abs(correlation(0, 1)));
    const MultiTaskGP fitted(fit.hyperparameters, data);
    const MultiTaskGP initial(defaultMtgpHyperparameters(data, 2, 3, 3, KernelKind::Matern52), data);
    EXPECT_NEAR(-fitted.logMarginalLikelihood(), fit.negativeLogLikelihood,
                1e-6 * std::abs(fit.negativeLogLikelihood) + 1e-6);
    EXPECT_GT(fitted.logMarginalLikelihood(), initial.logMarginalLikelihood());
    EXPECT_EQ(fit.failedStarts, 0);
    // Task means land near the data's.
    EXPECT_NEAR(fit.hyperparameters.taskMean[1] - fit.hyperparameters.taskMean[0], 0.5, 0.3);
}

TEST(MtgpFit, HandlesConstantTargetsAndDuplicates)
{
    MtgpData data;
    data.inputs = (Eigen::MatrixXd(4, 1) << 0.2, 0.2, 0.2, 0.7).finished();
    data.tasks = {0, 0, 1, 1};
    data.targets = Eigen::VectorXd::Constant(4, 3.0);
    const MtgpFitReport fit = fitMtgp(data, 1, 2);
    const MultiTaskGP gp(fit.hyperparameters, data);
    const Posterior p = gp.predict((Eigen::MatrixXd(2, 1) << 0.2, 0.5).finished(), {0, 1});
    EXPECT_NEAR(p.mean[0], 3.0, 1e-3);
    EXPECT_NEAR(p.mean[1], 3.0, 1e-2);
}

TEST(MtgpFit, RejectsNanAndBadTasksWithMessages)
{
    MtgpData data = randomData(5, 1, 1, 15);
    data.targets[3] = std::nan("");
    try {
        fitMtgp(data, 1, 1);
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "GP observation 4: target is nan (NaN and infinities are rejected)");
    }
    data = randomData(5, 1, 1, 15);
    data.tasks[1] = 2;
    EXPECT_THROW(fitMtgp(data, 1, 1), ConfigError);
    EXPECT_THROW(fitMtgp(MtgpData{}, 1, 1), ConfigError);
    MtgpFitOptions options;
    options.rank = 3;
    EXPECT_THROW(fitMtgp(randomData(5, 1, 2, 1), 1, 2, options), ConfigError);
}

TEST(ArdKernel, KumaraswamyWarpIsTheIdentityAtOneAndStretchesTheEndWhereAIsBelowOne)
{
    ArdKernel kernel;
    kernel.lengthscales = Eigen::Vector2d(0.5, 0.5);
    kernel.warpA = Eigen::Vector2d(1.0, 0.5);
    kernel.warpB = Eigen::Vector2d(1.0, 1.0);
    const Eigen::MatrixXd x = (Eigen::MatrixXd(3, 2) << 0.0, 0.0, 0.25, 0.25, 1.0, 1.0).finished();
    const Eigen::MatrixXd u = kernel.warp(x);
    EXPECT_LT((u.col(0) - x.col(0)).cwiseAbs().maxCoeff(), 1e-5);
    EXPECT_NEAR(u(1, 1), 0.5, 1e-6); // sqrt(0.25): the low end takes half the range
    EXPECT_NEAR(u(0, 1), 0.0, 1e-2);
    EXPECT_NEAR(u(2, 1), 1.0, 1e-5);
}

TEST(MtgpHyperparameters, JsonRoundTrip)
{
    MtgpHyperparameters h = hyper(2, 3, KernelKind::Matern52);
    h.taskFactor = (Eigen::MatrixXd(2, 2) << 0.5, -0.1, 0.3, 0.2).finished();
    h.taskMean = Eigen::Vector2d(70.5, 80.25);
    const MtgpHyperparameters back = MtgpHyperparameters::fromJson(h.toJson());
    EXPECT_EQ(back.kernel.kind, h.kernel.kind);
    EXPECT_TRUE(back.kernel.lengthscales.isApprox(h.kernel.lengthscales));
    EXPECT_TRUE(back.taskFactor.isApprox(h.taskFactor));
    EXPECT_TRUE(back.taskMean.isApprox(h.taskMean));
    EXPECT_FALSE(back.kernel.warped());
    h.kernel.warpA = Eigen::Vector3d(0.5, 1.0, 2.0);
    h.kernel.warpB = Eigen::Vector3d(1.5, 1.0, 0.7);
    const MtgpHyperparameters warped = MtgpHyperparameters::fromJson(h.toJson());
    EXPECT_TRUE(warped.kernel.warpA.isApprox(h.kernel.warpA));
    EXPECT_TRUE(warped.kernel.warpB.isApprox(h.kernel.warpB));
    EXPECT_FALSE(warped.hasSpecificKernel());
    h.specificKernel = h.kernel;
    h.specificKernel.lengthscales *= 0.5;
    const MtgpHyperparameters specific = MtgpHyperparameters::fromJson(h.toJson());
    ASSERT_TRUE(specific.hasSpecificKernel());
    EXPECT_TRUE(specific.specificKernel.lengthscales.isApprox(h.specificKernel.lengthscales));
    EXPECT_TRUE(specific.specificKernel.warpA.isApprox(h.kernel.warpA));
    EXPECT_THROW(MtgpHyperparameters::fromJson("{}"), ConfigError);
    EXPECT_THROW(MtgpHyperparameters::fromJson(R"({"kernel": "se", "lengthscales": [-1], "task_factor": [[1]],
        "task_diagonal": [1], "task_mean": [0], "noise_variance": [1]})"),
                 ConfigError);
    // Found by fuzzing (issue 15): empty factor rows were read into a rank-0 matrix.
    EXPECT_THROW(MtgpHyperparameters::fromJson(R"({"kernel": "se", "lengthscales": [1], "task_factor": [[], []],
        "task_diagonal": [1, 1], "task_mean": [0, 0], "noise_variance": [1, 1]})"),
                 ConfigError);
}

} // namespace
} // namespace quantscope

namespace quantscope {
namespace {

TEST(MultiTaskGP, LeaveOneOutMatchesExplicitRefits)
{
    MtgpHyperparameters h = hyper(2, 2, KernelKind::Matern52);
    h.taskFactor = Eigen::Vector2d(0.8, 0.7);
    const MtgpData data = randomData(15, 2, 2, 21);
    const Posterior loo = MultiTaskGP(h, data).leaveOneOut();
    for (Eigen::Index i : {0, 6, 14}) {
        MtgpData rest;
        rest.inputs.resize(0, 2);
        for (Eigen::Index j = 0; j < data.size(); ++j)
            if (j != i)
                rest.append(data.inputs.row(j).transpose(), data.tasks[size_t(j)], data.targets[j]);
        const Posterior p = MultiTaskGP(h, rest).predict(data.inputs.row(i), {data.tasks[size_t(i)]});
        EXPECT_NEAR(loo.mean[i], p.mean[0], 1e-9);
        EXPECT_NEAR(loo.variance[i], p.variance[0] + h.noiseVariance[data.tasks[size_t(i)]], 1e-9);
    }
}

} // namespace
} // namespace quantscope
