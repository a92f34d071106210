#pragma once

#include "quant/quantizer.h"

namespace quantscope {

/// HWGQ (Cai, He, Sun, Vasconcelos, "Deep Learning with Low Precision by Half-wave Gaussian
/// Quantization", CVPR 2017), with EdMIPS's multi-bit weights (same authors, CVPR 2020).
///
/// Activations, non-negative (after ReLU, as in the paper, where HWGQ replaces the ReLU that
/// follows batch norm): 0 for x <= 0, else `step * clamp(round(x / step), 1, 2^b - 1)` with
/// `step = halfGaussianOptimalStep(b) * sd`, sd the pre-activation's (ActivationRange::gaussianSd,
/// from calibration: a ReLU keeps the positive half-wave, whose E[x^2 | x > 0] is the variance).
/// The gradient is the clipped ReLU's: 1 on (0, top level], 0 elsewhere. Inputs that can be
/// negative (no ReLU before the layer: a residual sum, a normalised image) have no half-wave to
/// quantize; they get the symmetric mid-rise Gaussian quantizer with the weights' steps below, and
/// a straight-through gradient clipped to its range.
///
/// Weights: binary `sign(w) * mean|w|` per output filter at 1 bit; at b > 1 the mid-rise uniform
/// quantizer `step * (clamp(floor(w / step), -2^(b-1), 2^(b-1) - 1) + 1/2)` with
/// `step = gaussianMidRiseOptimalStep(b) * sd(filter)`. One FP32 scale per filter either way.
class HwgqQuantizer final : public Quantizer {
public:
    QuantizerKind kind() const override { return QuantizerKind::Hwgq; }
    at::Tensor quantizeWeight(const at::Tensor& weight, int bits) const override;
    at::Tensor quantizeActivation(const at::Tensor& input, int bits, const ActivationRange& range) const override;
    at::Tensor activationGradientMask(const at::Tensor& input, int bits, const ActivationRange& range) const override;
    bool needsCalibration() const override { return true; }
    int64_t weightScaleCount(const LayerInfo& layer) const override { return layer.outputChannels(); }
};

/// The grid of an HWGQ-quantized activation: non-negative inputs map to 0 or
/// `step * clamp(round(x / step), 1, levels)`; signed inputs to `step * (clamp(floor(x / step),
/// -levels - 1, levels) + 1/2)` (mid-rise, 2 (levels + 1) values). `step` 0 means unknown range.
struct HwgqGrid {
    double step = 0;
    double levels = 0;
    bool halfWave = true;
    double top() const { return halfWave ? step * levels : step * (levels + 0.5); }
};
/// The grid for `bits` and a `range` with recorded moments (ActivationRange::gaussianSd).
HwgqGrid hwgqActivationGrid(int bits, const ActivationRange& range);
/// The range of `input` itself, moments included: for inputs that were never calibrated.
ActivationRange measureActivationRange(const at::Tensor& input);

} // namespace quantscope
