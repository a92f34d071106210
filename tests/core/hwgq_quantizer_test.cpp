#include "common/error.h"
#include "model/quantizable_layers.h"
#include "quant/gaussian_steps.h"
#include "quant/hwgq_quantizer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace quantscope {
namespace {

/// A calibrated range of a non-negative input whose pre-activation had sd `sd`.
ActivationRange halfWaveRange(double sd)
{
    ActivationRange r;
    r.maxAbs = float(4 * sd);
    r.nonNegative = true;
    r.sumSquares = sd * sd * 1000;
    r.positiveCount = 1000;
    r.count = 2000;
    return r;
}

TEST(GaussianSteps, ReproduceThePapersTables)
{
    // HWGQ (Cai et al. 2017, and EdMIPS's quant_module.py): 0.799 is sqrt(2 / pi) = 0.79788
    // rounded up, the exact optimum of one level for the half-normal.
    EXPECT_NEAR(halfGaussianOptimalStep(1), std::sqrt(2 / M_PI), 1e-6);
    EXPECT_NEAR(halfGaussianOptimalStep(1), 0.799, 1.5e-3);
    EXPECT_NEAR(halfGaussianOptimalStep(2), 0.538, 1e-3);
    EXPECT_NEAR(halfGaussianOptimalStep(3), 0.3217, 1e-3);
    EXPECT_NEAR(halfGaussianOptimalStep(4), 0.185, 1e-3);
    // EdMIPS's weight steps (Max 1960's optimal uniform quantizer of N(0, 1)).
    EXPECT_NEAR(gaussianMidRiseOptimalStep(1), 1.596, 1e-3);
    EXPECT_NEAR(gaussianMidRiseOptimalStep(2), 0.996, 1e-3);
    EXPECT_NEAR(gaussianMidRiseOptimalStep(3), 0.586, 1e-3);
    EXPECT_NEAR(gaussianMidRiseOptimalStep(4), 0.336, 1e-3);
    for (int b = 2; b <= 8; ++b) { // more levels, finer steps
        EXPECT_LT(halfGaussianOptimalStep(b), halfGaussianOptimalStep(b - 1));
        EXPECT_LT(gaussianMidRiseOptimalStep(b), gaussianMidRiseOptimalStep(b - 1));
    }
    EXPECT_THROW(halfGaussianOptimalStep(0), ConfigError);
    EXPECT_THROW(gaussianMidRiseOptimalStep(9), ConfigError);
}

TEST(GaussianSteps, TheStepMinimisesTheErrorOfSampledGaussians)
{
    torch::manual_seed(0);
    const torch::Tensor x = torch::randn({400000}, torch::kFloat64).abs(); // half-normal
    const auto error = [&](double step) {
        const torch::Tensor q = torch::round(x / step).clamp(1, 3) * step; // 2 bits
        return (x - q).square().mean().item<double>();
    };
    const double best = halfGaussianOptimalStep(2);
    EXPECT_LT(error(best), error(best * 0.97));
    EXPECT_LT(error(best), error(best * 1.03));
}

TEST(HwgqQuantizer, HalfWaveLevelsAndSaturation)
{
    HwgqQuantizer q;
    const double sd = 2.0;
    const double step = halfGaussianOptimalStep(2) * sd; // levels step * {1, 2, 3}
    const torch::Tensor x = torch::tensor({-1.0, 0.0, 0.01 * step, 1.4 * step, 1.6 * step, 2.6 * step, 50.0});
    const torch::Tensor expected = torch::tensor({0.0, 0.0, step, step, 2 * step, 3 * step, 3 * step});
    const torch::Tensor actual = q.quantizeActivation(x, 2, halfWaveRange(sd));
    EXPECT_TRUE(torch::allclose(actual, expected, 0, 1e-9)) << actual;
}

TEST(HwgqQuantizer, GradientIsTheClippedRelu)
{
    HwgqQuantizer q;
    const double sd = 1.0;
    const double top = 3 * halfGaussianOptimalStep(2) * sd;
    const torch::Tensor x = torch::tensor({-0.5, 0.0, 0.2, top - 1e-3, top + 1e-3, 10.0});
    const torch::Tensor mask = q.activationGradientMask(x, 2, halfWaveRange(sd));
    EXPECT_TRUE(torch::equal(mask, torch::tensor({0.0, 0.0, 1.0, 1.0, 0.0, 0.0})));

    // Through a layer: the input's gradient is the output's gradient times the mask.
    torch::nn::Linear linear(torch::nn::LinearOptions(6, 1).bias(false));
    QuantizableLayers layers;
    const int index = layers.add("fc", *linear);
    auto quantizer = std::make_shared<HwgqQuantizer>();
    layers.setQuantization(quantizer, {LayerBits{0, 2}}, /*quantizeImageInput=*/true);
    layers.setActivationRanges({halfWaveRange(sd)});
    const torch::Tensor input = x.to(torch::kFloat32).view({1, 6}).requires_grad_(true);
    layers.linear(index, input).sum().backward();
    const torch::Tensor expected = linear->weight.detach().view({6}) * mask.to(torch::kFloat32);
    EXPECT_TRUE(torch::allclose(input.grad().view({6}), expected)) << input.grad();
}

TEST(HwgqQuantizer, SignedInputsGetTheSymmetricGaussianQuantizer)
{
    HwgqQuantizer q;
    ActivationRange r;
    r.maxAbs = 3;
    r.nonNegative = false;
    r.sumSquares = 4000; // sd 2
    r.count = 1000;
    const double step = gaussianMidRiseOptimalStep(2) * 2.0;
    const torch::Tensor x = torch::tensor({-100.0, -0.1, 0.1, 1.2 * step, 100.0});
    const torch::Tensor expected = torch::tensor({-1.5 * step, -0.5 * step, 0.5 * step, 1.5 * step, 1.5 * step});
    EXPECT_TRUE(torch::allclose(q.quantizeActivation(x, 2, r), expected, 0, 1e-9));
    EXPECT_TRUE(torch::equal(q.activationGradientMask(x, 2, r), torch::tensor({0.0, 1.0, 1.0, 1.0, 0.0})));
}

TEST(HwgqQuantizer, BinaryWeightsAreTheSignTimesTheFiltersMeanMagnitude)
{
    torch::manual_seed(1);
    const torch::Tensor w = torch::randn({5, 3, 3, 3}, torch::kFloat64);
    const torch::Tensor q = HwgqQuantizer().quantizeWeight(w, 1);
    for (int64_t f = 0; f < w.size(0); ++f) {
        const torch::Tensor expected = torch::sign(w[f]) * w[f].abs().mean();
        EXPECT_TRUE(torch::allclose(q[f], expected, 0, 1e-12)) << "filter " << f;
    }
}

TEST(HwgqQuantizer, MultiBitWeightsAreMidRiseGaussianStepsPerFilter)
{
    torch::manual_seed(2);
    torch::Tensor w = torch::randn({4, 64}, torch::kFloat64);
    w[1].mul_(10.0); // each filter's step follows its own sd
    const torch::Tensor q = HwgqQuantizer().quantizeWeight(w, 2);
    for (int64_t f = 0; f < w.size(0); ++f) {
        const double step = gaussianMidRiseOptimalStep(2) * w[f].std(/*unbiased=*/false).item<double>();
        const torch::Tensor levels = q[f] / step - 0.5; // integers in -2..1
        EXPECT_TRUE(torch::allclose(levels, torch::round(levels), 0, 1e-9));
        EXPECT_GE(levels.min().item<double>(), -2 - 1e-9);
        EXPECT_LE(levels.max().item<double>(), 1 + 1e-9);
    }
    // The error falls as bits grow.
    double previous = INFINITY;
    for (int b = 1; b <= 8; ++b) {
        const double error = (HwgqQuantizer().quantizeWeight(w, b) - w).square().mean().item<double>();
        EXPECT_LT(error, previous) << b << " bits";
        previous = error;
    }
}

TEST(HwgqQuantizer, UncalibratedInputsAreMeasuredOnTheFly)
{
    torch::manual_seed(3);
    const torch::Tensor x = torch::relu(torch::randn({10000}, torch::kFloat64) * 3.0);
    const ActivationRange measured = measureActivationRange(x);
    EXPECT_NEAR(measured.gaussianSd(), 3.0, 0.1);
    EXPECT_TRUE(
        torch::equal(HwgqQuantizer().quantizeActivation(x, 3, {}), HwgqQuantizer().quantizeActivation(x, 3, measured)));
}

} // namespace
} // namespace quantscope
