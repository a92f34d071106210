// EBS (issue 18): the mixed-precision quantizer's value and gradients, and the search's limits
// (lambda 0 keeps the highest widths, a large lambda the lowest, a budget is met).
#include "common/error.h"
#include "ebs/bitwidth_search.h"
#include "ebs/mixed_precision_quantizer.h"
#include "model/network.h"
#include "model/network_backend.h"
#include "model/zoo.h"
#include "quant/cost_model.h"
#include "synthetic_images.h"
#include "train/trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace quantscope {
namespace {

TEST(MixedPrecisionQuantizer, MixesTheCandidatesBySoftmaxAndPassesGradientsToWeightsAndStrengths)
{
    torch::manual_seed(3);
    const std::shared_ptr<const Quantizer> base = makeQuantizer(QuantizerKind::Uniform);
    const MixedPrecisionQuantizer mixed(base, BitCandidates{{1, 2, 4, 8}, {}, true});
    const torch::Tensor w = torch::randn({6, 3, 3, 3}).requires_grad_(true);
    ActivationRange range;
    range.maxAbs = 2.0f;
    range.nonNegative = true;
    const auto layer =
        mixed.learnedLayer(w, {MixedPrecisionQuantizer::kSearched, MixedPrecisionQuantizer::kSearched}, range);
    ASSERT_TRUE(layer);
    EXPECT_FALSE(mixed.learnedLayer(w, {8, 8}, range)) << "a layer not searched keeps the base quantizer";
    const std::vector<torch::Tensor> strengths = layer->parameters();
    ASSERT_EQ(strengths.size(), 1u) << "coupled: one strength vector for weight and input";
    {
        torch::NoGradGuard noGrad;
        strengths[0].copy_(torch::tensor({0.3f, -0.7f, 1.1f, 0.2f}));
    }

    // The value: softmax(alpha)-weighted sum of the base quantizer's candidates.
    const torch::Tensor p = torch::softmax(strengths[0].detach(), 0);
    torch::Tensor expected = torch::zeros_like(w);
    const int bits[] = {1, 2, 4, 8};
    for (int k = 0; k < 4; ++k)
        expected += p[k] * base->quantizeWeight(w.detach(), bits[k]);
    const torch::Tensor value = layer->weight(w, true);
    EXPECT_TRUE(torch::allclose(value, expected, 1e-6, 1e-6));
    EXPECT_TRUE(torch::allclose(layer->weight(w, false), expected, 1e-6, 1e-6));

    // Gradients of sum(value * R): straight through to the meta weight (the probabilities sum to
    // 1, so dL/dw = R), and to the strengths as finite differences say.
    const torch::Tensor r = torch::randn_like(w);
    (value * r).sum().backward();
    ASSERT_TRUE(w.grad().defined());
    EXPECT_TRUE(torch::allclose(w.grad(), r, 1e-5, 1e-5));
    ASSERT_TRUE(strengths[0].grad().defined());
    const auto objective = [&](const torch::Tensor& alpha) {
        const torch::Tensor q = torch::softmax(alpha, 0);
        torch::Tensor sum = torch::zeros_like(w);
        for (int k = 0; k < 4; ++k)
            sum += q[k] * base->quantizeWeight(w.detach(), bits[k]);
        return (sum * r).sum().item<double>();
    };
    const torch::Tensor alpha = strengths[0].detach().to(torch::kFloat64).clone();
    for (int k = 0; k < 4; ++k) {
        torch::Tensor plus = alpha.clone(), minus = alpha.clone();
        plus[k] += 1e-3;
        minus[k] -= 1e-3;
        const double numeric = (objective(plus.to(torch::kFloat32)) - objective(minus.to(torch::kFloat32))) / 2e-3;
        EXPECT_NEAR(strengths[0].grad()[k].item<double>(), numeric, 2e-2 * std::max(1.0, std::abs(numeric)))
            << "strength " << k;
    }

    // The input: the same mixture of the base quantizer's activations.
    const torch::Tensor x = torch::rand({2, 3, 5, 5}) * 2;
    torch::Tensor expectedInput = torch::zeros_like(x);
    for (int k = 0; k < 4; ++k)
        expectedInput += p[k] * base->quantizeActivation(x, bits[k], range);
    EXPECT_TRUE(torch::allclose(layer->activation(x, false), expectedInput, 1e-6, 1e-6));
}

TEST(MixedPrecisionQuantizer, RefusesCandidatesOutsideOneToEight)
{
    const std::shared_ptr<const Quantizer> base = makeQuantizer(QuantizerKind::Uniform);
    EXPECT_THROW(MixedPrecisionQuantizer(base, BitCandidates{{0, 2}, {}, true}), ConfigError);
    EXPECT_THROW(MixedPrecisionQuantizer(base, BitCandidates{{2, 9}, {}, true}), ConfigError);
    EXPECT_THROW(MixedPrecisionQuantizer(base, BitCandidates{{4, 2}, {}, true}), ConfigError);
    EXPECT_THROW(MixedPrecisionQuantizer(base, BitCandidates{{2, 4}, {}, false}), ConfigError);
    EXPECT_THROW(MixedPrecisionQuantizer(nullptr, BitCandidates{}), ConfigError);
}

class BitwidthSearch : public ::testing::Test {
protected:
    void SetUp() override
    {
        torch::set_num_threads(1);
        trainSet_ = test::syntheticImages(20, 1);
        network_ = std::make_unique<Network>(Network::create(zooSpec("vgg11s", DatasetKind::FashionMnist), 3));
        TrainOptions pretrain;
        pretrain.steps = 40;
        pretrain.batchSize = 32;
        pretrain.learningRate = 0.05;
        pretrain.seed = 11;
        train(*network_, trainSet_, augmentation_, pretrain);
    }

    EbsOptions options(double lambda) const
    {
        EbsOptions o;
        o.candidates = BitCandidates{{1, 8}, {}, true};
        o.lambda = lambda;
        o.steps = 40;
        o.batchSize = 32;
        o.seed = 5;
        o.augment = false;
        return o;
    }

    ImageSet trainSet_;
    Augmentation augmentation_{2, false};
    std::unique_ptr<Network> network_;
};

TEST_F(BitwidthSearch, LambdaZeroKeepsTheHighestWidthsAndALargeLambdaTheLowest)
{
    const std::shared_ptr<const Quantizer> base = makeQuantizer(QuantizerKind::Uniform);
    const size_t layers = network_->layers().size();
    Network free = network_->clone();
    const EbsResult highest = searchBitWidths(free, trainSet_, trainSet_, augmentation_, base, options(0.0));
    // The memory penalty pulls each layer by its share of the memory: the first convolution and the
    // classifier hold under 1 % of it, so only a large lambda outweighs what their bits buy.
    Network cheap = network_->clone();
    const EbsResult lowest = searchBitWidths(cheap, trainSet_, trainSet_, augmentation_, base, options(1000.0));
    for (size_t i = 0; i < layers; ++i) {
        EXPECT_EQ(highest.bits[i].weight, 8) << "lambda 0, layer " << i;
        EXPECT_EQ(lowest.bits[i].weight, 1) << "lambda 1000, layer " << i;
    }
    EXPECT_GT(highest.cost, 4 * lowest.cost);
    ASSERT_FALSE(lowest.history.empty());
    EXPECT_EQ(lowest.history.back().step, 40);
    EXPECT_GT(lowest.history.front().expectedCost, lowest.history.back().expectedCost);
    EXPECT_FALSE(network_->backend().quantLayers().quantized());
    EXPECT_FALSE(cheap.backend().quantLayers().quantized()) << "the search leaves the network float";
}

TEST_F(BitwidthSearch, ABudgetIsMetWithinOneCandidateStepPerLayer)
{
    const std::shared_ptr<const Quantizer> base = makeQuantizer(QuantizerKind::Uniform);
    EbsOptions o = options(0.0);
    o.candidates = BitCandidates{{1, 2, 4, 8}, {}, true};
    const std::vector<LayerInfo>& layers = network_->layers();
    const double high = computeCost(layers, BitConfig::uniform(8, layers.size()), *base).memoryMB;
    const double low = computeCost(layers, BitConfig::uniform(1, layers.size()), *base).memoryMB;
    o.budget = low + 0.3 * (high - low);
    Network searched = network_->clone();
    const EbsResult result = searchBitWidths(searched, trainSet_, trainSet_, augmentation_, base, o);
    EXPECT_LE(result.cost, *o.budget);
    EXPECT_NEAR(result.cost, computeCost(layers, result.bits, *base).memoryMB, 1e-9);
    // Within one candidate step of it: no layer can take its next width without exceeding it.
    for (size_t i = 0; i < layers.size(); ++i) {
        if (result.bits[i].weight == 8)
            continue;
        std::vector<LayerBits> raised = result.bits.layers();
        raised[i] = {2 * raised[i].weight, 2 * raised[i].weight};
        EXPECT_GT(computeCost(layers, BitConfig(raised), *base).memoryMB, *o.budget) << "layer " << i;
    }
    EXPECT_GT(result.lambda, 0.0) << "the budget binds, so lambda grew";
}

TEST_F(BitwidthSearch, ALatencyBudgetIsMetOnTheMeasuredTable)
{
    // A made-up table (time grows with both widths, and with depth): the search's cost is the
    // table's own sum for the configuration it returns, within the budget.
    const std::vector<LayerInfo>& layers = network_->layers();
    bitserial::LatencyTable table;
    table.batch = 2;
    table.otherMs = 0.5;
    for (size_t i = 0; i < layers.size(); ++i) {
        bitserial::LayerLatency layer;
        layer.name = layers[i].name;
        layer.takesImage = layers[i].takesImage;
        layer.floatMs = 1.0;
        for (int w = 1; w <= 8; ++w)
            for (int a = 1; a <= 8; ++a)
                layer.bitSerialMs[size_t((w - 1) * 8 + (a - 1))] = 0.01 * w * a * double(i + 1);
        table.layers.push_back(layer);
    }
    EbsOptions o = options(0.0);
    o.candidates = BitCandidates{{1, 2, 4, 8}, {}, true};
    o.cost = EbsCost::Latency;
    EXPECT_THROW(
        searchBitWidths(*network_, trainSet_, trainSet_, augmentation_, makeQuantizer(QuantizerKind::Uniform), o),
        ConfigError)
        << "a latency penalty without a table";
    o.latency = table;
    const double high = table.perImageMs(BitConfig::uniform(8, layers.size()));
    const double low = table.perImageMs(BitConfig::uniform(1, layers.size()));
    o.budget = low + 0.3 * (high - low);
    Network searched = network_->clone();
    const EbsResult result =
        searchBitWidths(searched, trainSet_, trainSet_, augmentation_, makeQuantizer(QuantizerKind::Uniform), o);
    EXPECT_NEAR(result.cost, table.perImageMs(result.bits), 1e-9);
    EXPECT_LE(result.cost, *o.budget);
    EXPECT_GT(result.cost, low);
}

TEST_F(BitwidthSearch, BadOptionsAreNamed)
{
    const std::shared_ptr<const Quantizer> base = makeQuantizer(QuantizerKind::Uniform);
    EbsOptions o = options(0.0);
    o.steps = 0;
    EXPECT_THROW(searchBitWidths(*network_, trainSet_, trainSet_, augmentation_, base, o), ConfigError);
    o = options(-1.0);
    EXPECT_THROW(searchBitWidths(*network_, trainSet_, trainSet_, augmentation_, base, o), ConfigError);
    o = options(0.0);
    o.budget = 0.0;
    EXPECT_THROW(searchBitWidths(*network_, trainSet_, trainSet_, augmentation_, base, o), ConfigError);
    EXPECT_THROW(searchBitWidths(*network_, ImageSet{}, ImageSet{}, augmentation_, base, options(0.0)), ConfigError);
    o = options(0.0);
    const std::vector<LayerInfo>& layers = network_->layers();
    o.budget = 0.99 * computeCost(layers, BitConfig::uniform(1, layers.size()), *base).memoryMB;
    try {
        searchBitWidths(*network_, trainSet_, trainSet_, augmentation_, base, o);
        ADD_FAILURE() << "a budget below every layer at 1 bit was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("lowest candidate"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace quantscope
