#pragma once

#include "common/layer_info.h"

#include <cstdint>
#include <memory>
#include <string>

namespace at {
class Tensor;
}

namespace quantscope {

enum class QuantizerKind {
    DSConv,  ///< NUQ's quantizer: DSConv weight blocks, block-floating-point activations
    Uniform, ///< uniform symmetric per-channel weights, uniform per-tensor activations (integer runtimes)
};

QuantizerKind parseQuantizerKind(const std::string& name); ///< "dsconv" or "uniform"; ConfigError otherwise
std::string quantizerName(QuantizerKind kind);

/// Observed range of a layer's input activation (from a calibration pass).
struct ActivationRange {
    float maxAbs = 0.0f;
    bool nonNegative = true;
    bool valid() const { return maxAbs > 0.0f; }
};

/// A simulated ("fake") quantizer: maps FP32 tensors to the FP32 values the quantized network
/// computes with. Gradients are not its concern: callers apply the straight-through estimator.
class Quantizer {
public:
    virtual ~Quantizer() = default;
    virtual QuantizerKind kind() const = 0;
    /// Quantized weight of a conv (out, in/groups, kh, kw) or linear (out, in) layer at `bits` (1..8).
    virtual at::Tensor quantizeWeight(const at::Tensor& weight, int bits) const = 0;
    /// Quantized input activation at `bits` (1..8); `range` comes from calibration and may be
    /// invalid (never calibrated), in which case a per-tensor range is measured on the fly.
    virtual at::Tensor quantizeActivation(const at::Tensor& input, int bits, const ActivationRange& range) const = 0;
    /// Whether activation ranges must be calibrated before evaluation.
    virtual bool needsCalibration() const = 0;
    /// FP32 scale factors stored with a layer's quantized weights.
    virtual int64_t weightScaleCount(const LayerInfo& layer) const = 0;
};

std::unique_ptr<Quantizer> makeQuantizer(QuantizerKind kind);

} // namespace quantscope
