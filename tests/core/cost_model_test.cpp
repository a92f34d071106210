#include "common/error.h"
#include "quant/cost_model.h"
#include "quant/dsconv_quantizer.h"
#include "quant/uniform_quantizer.h"

#include <gtest/gtest.h>

namespace quantscope {
namespace {

/// A conv reading the image (8 out, 3 in, 3x3, 10x10 outputs, with bias) and a linear (10 x 70).
std::vector<LayerInfo> twoLayers()
{
    LayerInfo conv;
    conv.name = "conv";
    conv.kind = LayerKind::Conv2d;
    conv.weightShape = {8, 3, 3, 3};
    conv.weightCount = 8 * 3 * 3 * 3;
    conv.biasCount = 8;
    conv.outputPositions = 100;
    conv.macs = conv.weightCount * 100;
    conv.takesImage = true;
    LayerInfo fc;
    fc.name = "fc";
    fc.kind = LayerKind::Linear;
    fc.weightShape = {10, 70};
    fc.weightCount = 700;
    fc.macs = 700;
    return {conv, fc};
}

TEST(CostModel, DsconvCountsBlockScalesAndBiases)
{
    const auto layers = twoLayers();
    const CostReport cost = computeCost(layers, BitConfig({{4, 4}, {2, 2}}), DsconvQuantizer());
    // conv: 216 weights x 4 bits + 8 x 3 x 3 x ceil(3/32)=72 scales x 32 + 8 biases x 32
    // fc:   700 x 2 + 10 x ceil(70/32)=3 -> 30 scales x 32
    const double bits = 216 * 4 + 72 * 32 + 8 * 32 + 700 * 2 + 30 * 32;
    EXPECT_DOUBLE_EQ(cost.memoryMB, bits / 8 / 1e6);
    EXPECT_DOUBLE_EQ(cost.weightBitsMean, (216.0 * 4 + 700 * 2) / 916);
    // The image input stays 8-bit by default.
    EXPECT_DOUBLE_EQ(cost.bops, 21600.0 * 4 * 8 + 700.0 * 2 * 2);
}

TEST(CostModel, UniformHasOneScalePerChannelAndFloatLayersNone)
{
    const auto layers = twoLayers();
    LayerPolicy policy;
    policy.quantizeImageInput = true;
    const CostReport cost = computeCost(layers, BitConfig({{8, 6}, {0, 0}}), UniformQuantizer(), policy);
    const double bits = 216 * 8 + 8 * 32 + 8 * 32 + 700 * 32;
    EXPECT_DOUBLE_EQ(cost.memoryMB, bits / 8 / 1e6);
    EXPECT_DOUBLE_EQ(cost.bops, 21600.0 * 8 * 6 + 700.0 * 32 * 32);
}

TEST(CostModel, FewerBitsNeverCostMore)
{
    const auto layers = twoLayers();
    DsconvQuantizer q;
    double previous = 1e300;
    for (int b = 8; b >= 1; --b) {
        const CostReport cost = computeCost(layers, BitConfig::uniform(b, 2), q);
        EXPECT_LT(cost.memoryMB, previous);
        previous = cost.memoryMB;
    }
    EXPECT_THROW(computeCost(layers, BitConfig::uniform(4, 3), q), Error);
}

} // namespace
} // namespace quantscope
