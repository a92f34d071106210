#pragma once

#include "quant/quantizer.h"

namespace quantscope {

/// NUQ's quantizer (DSConv, Nascimento et al. ICCV 2019; NUQ section 4).
///
/// Weights: blocks of `kBlockSize` consecutive input channels per (out-channel, kh, kw). With `m`
/// the largest magnitude in a block, integers `q = clamp(round(w 2^(b-1) / m), -2^(b-1), 2^(b-1)-1)`
/// and one FP32 scale per block, the least-squares `xi = sum(w q) / sum(q^2)`; the weight used is
/// `xi q`. At 1 bit the formula leaves only {-1, 0}, so 1 bit is binary instead: `q = sign(w)`,
/// `xi = mean |w|` (the least-squares scale for signs).
///
/// Activations: block floating point. Each block of 32 channels at one (n, h, w) shares the
/// exponent `e` of its largest magnitude (`max < 2^e`); values are rounded to b-bit mantissas,
/// unsigned when the tensor is non-negative (after ReLU) and two's complement otherwise.
class DsconvQuantizer final : public Quantizer {
public:
    static constexpr int64_t kBlockSize = 32;

    QuantizerKind kind() const override { return QuantizerKind::DSConv; }
    at::Tensor quantizeWeight(const at::Tensor& weight, int bits) const override;
    at::Tensor quantizeActivation(const at::Tensor& input, int bits, const ActivationRange& range) const override;
    bool needsCalibration() const override { return false; }
    int64_t weightScaleCount(const LayerInfo& layer) const override;
};

} // namespace quantscope
