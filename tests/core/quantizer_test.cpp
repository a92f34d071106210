#include "model/quantizable_layers.h"
#include "quant/dsconv_quantizer.h"
#include "quant/uniform_quantizer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace quantscope {
namespace {

torch::Tensor vec(std::vector<float> values)
{
    return torch::tensor(values);
}

void expectNear(const torch::Tensor& actual, const torch::Tensor& expected, double tol = 1e-6)
{
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_TRUE(torch::allclose(actual, expected, 0, tol)) << actual << "\nexpected\n" << expected;
}

TEST(DsconvQuantizer, MatchesHandComputedBlock)
{
    DsconvQuantizer q;
    const torch::Tensor w = vec({0.5f, -0.2f}).view({1, 2, 1, 1});
    // b=2: q = clamp(round(w * 2 / 0.5), -2, 1) = [1, -1]; xi = (0.5 + 0.2) / 2 = 0.35
    expectNear(q.quantizeWeight(w, 2), vec({0.35f, -0.35f}).view({1, 2, 1, 1}));
    // b=3: q = clamp(round(w * 4 / 0.5), -4, 3) = [3, -2]; xi = (1.5 + 0.4) / 13
    const float xi = 1.9f / 13.0f;
    expectNear(q.quantizeWeight(w, 3), vec({3 * xi, -2 * xi}).view({1, 2, 1, 1}));
    // b=1: binary, xi = mean |w| = 0.35
    expectNear(q.quantizeWeight(w, 1), vec({0.35f, -0.35f}).view({1, 2, 1, 1}));
}

TEST(DsconvQuantizer, BlocksOf32InputChannelsAreIndependent)
{
    torch::manual_seed(0);
    torch::Tensor w = torch::randn({4, 64, 3, 3});
    w.narrow(1, 32, 32).mul_(100.0); // the second block is 100x larger
    const torch::Tensor q = DsconvQuantizer().quantizeWeight(w, 4);
    const auto small = w.narrow(1, 0, 32);
    const double error = (q.narrow(1, 0, 32) - small).norm().item<double>() / small.norm().item<double>();
    EXPECT_LT(error, 0.2); // one shared scale would round the small block to zero (error 1)
}

TEST(DsconvQuantizer, EightBitsAreNearlyLosslessAndErrorGrowsAsBitsFall)
{
    torch::manual_seed(1);
    const torch::Tensor w = torch::randn({16, 40, 3, 3});
    DsconvQuantizer q;
    double previous = 0;
    for (int b = 8; b >= 1; --b) {
        const double error = (q.quantizeWeight(w, b) - w).norm().item<double>() / w.norm().item<double>();
        if (b == 8) {
            EXPECT_LT(error, 0.01);
        }
        EXPECT_GT(error, previous);
        previous = error;
    }
    // Linear weights (out, in) use the same blocks.
    const torch::Tensor fc = torch::randn({10, 70});
    EXPECT_EQ(q.quantizeWeight(fc, 4).sizes(), fc.sizes());
}

TEST(DsconvQuantizer, BlockFloatingPointActivations)
{
    DsconvQuantizer q;
    // Non-negative: max 3 < 2^2, 4 unsigned mantissa bits -> step 2^(2-4) = 0.25.
    expectNear(q.quantizeActivation(vec({3.0f, 0.7f}).view({1, 2, 1, 1}), 4, {}),
               vec({3.0f, 0.75f}).view({1, 2, 1, 1}));
    // Signed: two's complement mantissa -> step 2^(2-3) = 0.5.
    expectNear(q.quantizeActivation(vec({-3.0f, 0.7f}).view({1, 2, 1, 1}), 4, {}),
               vec({-3.0f, 0.5f}).view({1, 2, 1, 1}));
    // Each group of 32 channels at one position has its own exponent.
    torch::Tensor x = torch::full({1, 64, 2, 2}, 0.1f);
    x.narrow(1, 32, 32).fill_(100.0f);
    const torch::Tensor y = q.quantizeActivation(x, 4, {});
    EXPECT_NEAR(y[0][0][0][0].item<float>(), 0.1f, 0.01f);
    EXPECT_NEAR(y[0][40][1][1].item<float>(), 100.0f, 8.0f);
    // Linear inputs (N, features) too, with channel counts that are not multiples of 32.
    const torch::Tensor features = torch::rand({3, 70});
    EXPECT_LT((q.quantizeActivation(features, 8, {}) - features).abs().max().item<float>(), 1.0f / 256);
}

TEST(UniformQuantizer, PerChannelSymmetricLevels)
{
    torch::manual_seed(2);
    const torch::Tensor w = torch::randn({8, 16, 3, 3});
    const torch::Tensor q = UniformQuantizer().quantizeWeight(w, 3);
    for (int64_t c = 0; c < 8; ++c) {
        const torch::Tensor row = q[c].flatten();
        const float maxAbs = w[c].abs().max().item<float>();
        EXPECT_NEAR(row.abs().max().item<float>(), maxAbs, 1e-5);
        const torch::Tensor levels = torch::round(row / (maxAbs / 3)); // integers in -3..3
        EXPECT_TRUE(torch::allclose(levels * (maxAbs / 3), row, 0, 1e-5));
        EXPECT_LE(std::get<0>(torch::_unique(levels)).numel(), 7);
    }
}

TEST(UniformQuantizer, ActivationsUseCalibratedRange)
{
    UniformQuantizer q;
    // 2 unsigned bits over [0, 1.5]: step 0.5, saturating at 1.5.
    expectNear(q.quantizeActivation(vec({0.2f, 0.8f, 2.0f}), 2, ActivationRange{1.5f, true}), vec({0.0f, 1.0f, 1.5f}));
    // Signed 3 bits over [-1, 1]: levels k/3.
    expectNear(q.quantizeActivation(vec({-1.0f, 0.3f}), 3, ActivationRange{1.0f, false}), vec({-1.0f, 1.0f / 3}));
}

TEST(QuantizableLayers, StraightThroughGradientsAndCachedWeights)
{
    torch::manual_seed(3);
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(4, 6, 3).padding(1));
    QuantizableLayers layers;
    const int index = layers.add("conv", *conv);
    auto quantizer = std::make_shared<DsconvQuantizer>();
    layers.setQuantization(quantizer, {LayerBits{3, 4}}, /*quantizeImageInput=*/true);

    const torch::Tensor x = torch::rand({2, 4, 5, 5}).requires_grad_(true);
    layers.conv2d(index, x).pow(2).sum().backward();

    // Reference: a float conv on the quantized tensors, both leaves: STE passes their gradients through.
    const torch::Tensor qx = quantizer->quantizeActivation(x.detach(), 4, {}).requires_grad_(true);
    const torch::Tensor qw = quantizer->quantizeWeight(conv->weight.detach(), 3).requires_grad_(true);
    torch::conv2d(qx, qw, conv->bias.detach(), 1, 1).pow(2).sum().backward();
    EXPECT_TRUE(torch::allclose(conv->weight.grad(), qw.grad(), 1e-5, 1e-5));
    EXPECT_TRUE(torch::allclose(x.grad(), qx.grad(), 1e-5, 1e-5));

    // Inference reuses the quantized weight until the FP32 weight changes in place.
    torch::NoGradGuard noGrad;
    const torch::Tensor input = torch::rand({1, 4, 5, 5});
    const torch::Tensor before = layers.conv2d(index, input);
    EXPECT_TRUE(torch::equal(before, layers.conv2d(index, input)));
    conv->weight.mul_(2.0);
    EXPECT_FALSE(torch::allclose(before, layers.conv2d(index, input)));
}

} // namespace
} // namespace quantscope
