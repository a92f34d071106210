#include "quant/cost_model.h"

#include "common/error.h"

namespace quantscope {
namespace {

int storedBits(int bits)
{
    return bits == 0 ? kFloatBits : bits;
}

} // namespace

CostReport computeCost(const std::vector<LayerInfo>& layers, const BitConfig& bits, const Quantizer& quantizer,
                       const LayerPolicy& policy)
{
    if (bits.size() != layers.size())
        throw ConfigError("bit configuration has " + std::to_string(bits.size()) + " entries but the network has "
                          + std::to_string(layers.size()) + " quantizable layers");
    CostReport report;
    double memoryBits = 0;
    double weightBits = 0;
    double weightCount = 0;
    for (size_t i = 0; i < layers.size(); ++i) {
        const LayerInfo& layer = layers[i];
        const LayerBits& b = bits[i];
        const int w = storedBits(b.weight);
        memoryBits += double(layer.weightCount) * w + double(layer.biasCount) * kFloatBits;
        if (b.weight != 0)
            memoryBits += double(quantizer.weightScaleCount(layer)) * kFloatBits;
        weightBits += double(layer.weightCount) * w;
        weightCount += double(layer.weightCount);
        int a = storedBits(b.activation);
        if (layer.takesImage && !policy.quantizeImageInput)
            a = kImageBits;
        report.bops += double(layer.macs) * w * a;
    }
    report.memoryMB = memoryBits / 8.0 / 1e6;
    report.weightBitsMean = weightCount > 0 ? weightBits / weightCount : 0;
    return report;
}

} // namespace quantscope
