#include "common/error.h"
#include "model/quantizable_layers.h"
#include "quant/qn_quantizer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace quantscope {
namespace {

TEST(QnLevels, UniformAndPowerOfTwoSets)
{
    EXPECT_EQ(qnLevels(1, true, false), (std::vector<double>{-1, 1}));
    EXPECT_EQ(qnLevels(2, true, false), (std::vector<double>{-1, 0, 1}));
    EXPECT_EQ(qnLevels(3, true, false), (std::vector<double>{-3, -2, -1, 0, 1, 2, 3}));
    EXPECT_EQ(qnLevels(2, false, false), (std::vector<double>{0, 1, 2, 3}));
    EXPECT_EQ(qnLevels(2, true, true), (std::vector<double>{-1, 0, 1}));
    EXPECT_EQ(qnLevels(3, true, true), (std::vector<double>{-4, -2, -1, 0, 1, 2, 4})); // the paper's 3-bit +-4
    EXPECT_EQ(qnLevels(8, true, true).back(), 64);                                     // the set stops growing at +-2^6
    try {
        qnLevels(1, true, true);
        ADD_FAILURE() << "1-bit power-of-two levels accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("qn-pow2: 1 bit"), std::string::npos) << e.what();
    }
    EXPECT_THROW(qnLevels(9, true, false), ConfigError);
}

TEST(QnQuantizer, KMeansThresholdsAndTheInitialScales)
{
    // Three well separated clusters around -1, 0 and 2: k-means finds their means.
    const torch::Tensor w = torch::cat({torch::full({50}, -1.0) + torch::linspace(-0.1, 0.1, 50),
                                        torch::linspace(-0.1, 0.1, 40), torch::full({30}, 2.0)});
    const std::vector<double> centres = kMeans1d(w, 3);
    ASSERT_EQ(centres.size(), 3u);
    EXPECT_NEAR(centres[0], -1.0, 1e-6);
    EXPECT_NEAR(centres[1], 0.0, 1e-6);
    EXPECT_NEAR(centres[2], 2.0, 1e-6);

    const QnStaircase stair = qnWeightStaircase(w, 2, false); // levels {-1, 0, 1}, p = 1, q = max|w| = 2
    EXPECT_DOUBLE_EQ(stair.beta, 5.0 / (4 * 2.0));
    ASSERT_EQ(stair.thresholds.size(), 2u);
    EXPECT_NEAR(stair.thresholds[0], stair.beta * -0.5, 1e-9);
    EXPECT_NEAR(stair.thresholds[1], stair.beta * 1.0, 1e-9);
    EXPECT_EQ(qnWeightStaircase(w, 1, false).thresholds, std::vector<double>{0.0}); // binary: the paper's 0
}

TEST(QnQuantizer, LargeTemperatureIsTheHardStaircase)
{
    torch::manual_seed(0);
    const torch::Tensor w = torch::randn({2000}, torch::kFloat64);
    const QnStaircase stair = qnWeightStaircase(w, 3, false);
    const torch::Tensor alpha = torch::tensor(0.7, torch::kFloat64), beta = torch::tensor(stair.beta, torch::kFloat64);
    const torch::Tensor x = torch::linspace(-4, 4, 5001, torch::kFloat64);
    const torch::Tensor hard = qnStaircase(x, alpha, beta, stair, 0);
    const torch::Tensor soft = qnStaircase(x, alpha, beta, stair, 1e5);
    // Away from the thresholds (where a sigmoid is still mid-way) they agree.
    const torch::Tensor u = (beta * x).unsqueeze(-1);
    const torch::Tensor far = (u - torch::tensor(stair.thresholds, torch::kFloat64)).abs().amin(-1) > 1e-3;
    EXPECT_TRUE(torch::allclose(soft.index({far}), hard.index({far}), 0, 1e-9));
    // The hard staircase takes the levels only, scaled by alpha.
    const torch::Tensor levels = torch::tensor(stair.levels, torch::kFloat64) * 0.7;
    EXPECT_TRUE(torch::isin(hard, levels).all().item<bool>());
    EXPECT_DOUBLE_EQ(hard.min().item<double>(), -3 * 0.7);
    EXPECT_DOUBLE_EQ(hard.max().item<double>(), 3 * 0.7);
}

TEST(QnQuantizer, GradientsMatchFiniteDifferences)
{
    torch::manual_seed(1);
    const torch::Tensor w = torch::randn({500}, torch::kFloat64);
    const QnStaircase stair = qnWeightStaircase(w, 2, false);
    const torch::Tensor x = torch::randn({7}, torch::kFloat64).requires_grad_(true);
    const torch::Tensor alpha = torch::tensor(1.3, torch::kFloat64).requires_grad_(true);
    const torch::Tensor beta = torch::tensor(stair.beta, torch::kFloat64).requires_grad_(true);
    const double temperature = 5;
    const torch::Tensor weights = torch::randn({7}, torch::kFloat64); // a loss that weighs the outputs
    (qnStaircase(x, alpha, beta, stair, temperature) * weights).sum().backward();

    const auto loss = [&](const torch::Tensor& xs, double a, double b) {
        torch::NoGradGuard noGrad;
        return (qnStaircase(xs, torch::tensor(a, torch::kFloat64), torch::tensor(b, torch::kFloat64), stair,
                            temperature)
                * weights)
            .sum()
            .item<double>();
    };
    const double h = 1e-6, a = alpha.item<double>(), b = beta.item<double>();
    const torch::Tensor xs = x.detach();
    EXPECT_NEAR(alpha.grad().item<double>(), (loss(xs, a + h, b) - loss(xs, a - h, b)) / (2 * h), 1e-6);
    EXPECT_NEAR(beta.grad().item<double>(), (loss(xs, a, b + h) - loss(xs, a, b - h)) / (2 * h), 1e-5);
    for (int64_t i = 0; i < xs.numel(); ++i) {
        torch::Tensor up = xs.clone(), down = xs.clone();
        up[i] += h;
        down[i] -= h;
        EXPECT_NEAR(x.grad()[i].item<double>(), (loss(up, a, b) - loss(down, a, b)) / (2 * h), 1e-5) << i;
    }
}

TEST(QnQuantizer, TemperatureRisesLinearlyWithEpochsToTheCap)
{
    EXPECT_DOUBLE_EQ(qnTemperature(0, 1), 20);
    EXPECT_DOUBLE_EQ(qnTemperature(0.5, 1), 30);
    EXPECT_DOUBLE_EQ(qnTemperature(4, 1), 100);
    EXPECT_DOUBLE_EQ(qnTemperature(0.5, 30), 320);
    EXPECT_DOUBLE_EQ(qnTemperature(1000, 1), 2000);
    EXPECT_DOUBLE_EQ(qnTemperature(4, 30), 2000);
}

TEST(QnQuantizer, WeightsSharpenFasterWhereTheInputStaysFloat)
{
    torch::manual_seed(4);
    const torch::Tensor w = torch::randn({6, 10});
    const QnQuantizer quantizer(false);
    const ActivationRange range{2.0f, true};
    const QnStaircase stair = qnWeightStaircase(w, 2, false);
    const auto options = torch::TensorOptions().dtype(torch::kFloat32);
    const auto soft = [&](double temperature) {
        return qnStaircase(w, torch::tensor(1 / stair.beta, options), torch::tensor(stair.beta, options), stair,
                           temperature);
    };
    for (int inputBits : {0, 2}) {
        const auto layer = quantizer.learnedLayer(w, LayerBits{2, inputBits}, range);
        layer->setTrainingEpochs(0.5);
        const double rise =
            inputBits == 0 ? QnQuantizer::kFloatInputWeightTemperatureRise : QnQuantizer::kTemperatureRise;
        torch::NoGradGuard noGrad;
        EXPECT_TRUE(torch::allclose(layer->weight(w, true), soft(qnTemperature(0.5, rise)), 1e-5, 1e-6)) << inputBits;
    }
}

TEST(QnQuantizer, LayersLearnTheirScales)
{
    torch::manual_seed(2);
    torch::nn::Linear linear(torch::nn::LinearOptions(8, 3));
    QuantizableLayers layers;
    const int index = layers.add("fc", *linear);
    layers.setActivationRanges({ActivationRange{1.0f, true}});
    layers.setQuantization(std::make_shared<QnQuantizer>(false), {LayerBits{2, 2}}, true);
    const std::vector<torch::Tensor> learned = layers.quantizerParameters();
    ASSERT_EQ(learned.size(), 4u); // alpha and beta of the weights and of the input
    std::vector<torch::Tensor> all = learned;
    for (const auto& p : linear->parameters())
        all.push_back(p);
    torch::optim::SGD optimizer(all, torch::optim::SGDOptions(0.1));
    const std::vector<double> before = {learned[0].item<double>(), learned[1].item<double>()};
    const torch::Tensor input = torch::rand({16, 8});
    const torch::Tensor target = torch::randint(0, 3, {16});
    for (int step = 0; step < 5; ++step) {
        layers.setTrainingEpochs(step);
        optimizer.zero_grad();
        torch::nn::functional::cross_entropy(layers.linear(index, input), target).backward();
        optimizer.step();
    }
    EXPECT_NE(learned[0].item<double>(), before[0]);
    EXPECT_NE(learned[1].item<double>(), before[1]);
    // Inference uses the hard staircases with the learned scales.
    torch::NoGradGuard noGrad;
    EXPECT_EQ(layers.linear(index, input).sizes(), (std::vector<int64_t>{16, 3}));
    EXPECT_THROW(layers.setQuantization(std::make_shared<QnQuantizer>(true), {LayerBits{1, 2}}, true), ConfigError);
}

} // namespace
} // namespace quantscope
