#pragma once

#include "quant/quantizer.h"

namespace quantscope {

/// What integer runtimes (ONNX QDQ, TensorRT, TFLite) execute.
///
/// Weights: symmetric per output channel, `scale = max|w| / (2^(b-1) - 1)`,
/// `q = clamp(round(w / scale), -(2^(b-1) - 1), 2^(b-1) - 1)`. At 1 bit: `sign(w) * mean|w|` per
/// channel (binary weights).
///
/// Activations: per tensor, with the range from calibration: unsigned `scale = max / (2^b - 1)`
/// for non-negative inputs, symmetric signed otherwise.
class UniformQuantizer final : public Quantizer {
public:
    QuantizerKind kind() const override { return QuantizerKind::Uniform; }
    at::Tensor quantizeWeight(const at::Tensor& weight, int bits) const override;
    at::Tensor quantizeActivation(const at::Tensor& input, int bits, const ActivationRange& range) const override;
    bool needsCalibration() const override { return true; }
    int64_t weightScaleCount(const LayerInfo& layer) const override { return layer.outputChannels(); }
};

/// The grid of a uniformly quantized activation: `q = clamp(round(x / scale), lo, hi)`, value
/// `q * scale`. Unsigned (lo = 0) for non-negative ranges, symmetric otherwise.
struct UniformGrid {
    double scale = 1.0;
    double lo = 0.0;
    double hi = 0.0;
};
UniformGrid uniformActivationGrid(int bits, const ActivationRange& range);

/// A uniformly quantized weight in integer form: `integers` (int8, the weight's shape) times the
/// per-output-channel `scales` (float, one per channel) is what `quantizeWeight` returns.
void uniformIntegerWeight(const at::Tensor& weight, int bits, at::Tensor& integers, at::Tensor& scales);

} // namespace quantscope
