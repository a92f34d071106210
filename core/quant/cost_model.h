#pragma once

#include "common/layer_info.h"
#include "quant/bit_config.h"
#include "quant/quantizer.h"

#include <vector>

namespace quantscope {

/// Memory and compute of a network under a bit configuration.
struct CostReport {
    double memoryMB = 0;       ///< weights at their bits + FP32 scales + FP32 biases, in 10^6 bytes
    double weightBitsMean = 0; ///< parameter-weighted mean weight bits (float counts as 32)
    double bops = 0;           ///< sum over layers of MACs x weight bits x activation bits
};

/// Bits of a float tensor and of the 8-bit input image in memory and BOPs.
constexpr int kFloatBits = 32;
constexpr int kImageBits = 8;

/// Cost of `bits` on `layers` with `quantizer`'s scale layout. A quantized layer stores
/// `weightCount x b` bits plus one FP32 scale per `quantizer.weightScaleCount()`; a float layer
/// stores 32-bit weights. Biases stay FP32. BOPs count a float side as 32 bits, and the input
/// image, when the policy leaves it unquantized, as its 8 bits.
CostReport computeCost(const std::vector<LayerInfo>& layers, const BitConfig& bits, const Quantizer& quantizer,
                       const LayerPolicy& policy = {});

} // namespace quantscope
