#pragma once

#include "quant/quantizer.h"

#include <vector>

namespace quantscope {

/// Quantization Networks (Yang et al., "Quantization Networks", CVPR 2019): quantization as a
/// learned soft staircase
///
///     y = alpha * (sum_i s_i sigmoid(T (beta x - b_i)) - o),
///
/// `s_i` the gaps between consecutive levels, `o = -(lowest level)` (half the span for symmetric
/// levels, 0 for unsigned activations), thresholds `b_i` in units of `beta x`. At inference the
/// sigmoids are unit steps (T -> infinity). Per layer, weights and input activation each have their
/// own `alpha` and `beta`, learned with the network during fine-tuning, initialised at
/// `beta = 5p / (4q)` (p the largest |level|, q the largest |value|) and `alpha = 1 / beta`; weight
/// thresholds are `beta` times the midpoints of k-means centres of the pretrained weights (one per
/// level), frozen; activation thresholds are the midpoints of the levels. The temperature rises
/// linearly with training, capped at 2000: `T = 20 (1 + epochs)` (the paper's code: (epoch + 1) x
/// 20), and 30 times faster for the weights of layers with float inputs (a fine-tuning budget is
/// about one epoch where the paper trains for dozens; docs/quantizers.md measures both).
///
/// Levels: weights `{-(2^(b-1) - 1) .. 2^(b-1) - 1}` ({-1, 1} at 1 bit), or with `powerOfTwo` the
/// paper's `{0, +-1, +-2, .., +-2^k}` with as many levels as b bits hold (2 bits: {0, +-1}; 3 bits:
/// {0, +-1, +-2, +-4}; k at most 6; at least 2 bits); activations `{0 .. 2^b - 1}` after a
/// ReLU, symmetric like the weights otherwise. The soft staircase costs one sigmoid per level per
/// value, so it trains up to kSoftBits; wider layers use the hard staircase with a straight-through
/// gradient and the levels' midpoints as thresholds (QN is a low-bit method: the paper's widths are
/// 1 to 3 bits; k-means cells over hundreds of uniform levels would warp the weights towards
/// equal-population bins).
class QnQuantizer final : public Quantizer {
public:
    static constexpr int kSoftBits = 3;
    /// qnTemperature's rise per epoch: the paper's for activations and for the weights of a layer
    /// whose input is quantized too, 30 times faster for the weights of a layer whose input stays
    /// float (docs/quantizers.md measures both).
    static constexpr double kTemperatureRise = 1;
    static constexpr double kFloatInputWeightTemperatureRise = 30;

    explicit QnQuantizer(bool powerOfTwo) : powerOfTwo_(powerOfTwo) {}
    QuantizerKind kind() const override { return powerOfTwo_ ? QuantizerKind::QnPowerOfTwo : QuantizerKind::Qn; }
    /// The staircase as initialised from `weight` (what a layer starts fine-tuning from), hard.
    at::Tensor quantizeWeight(const at::Tensor& weight, int bits) const override;
    at::Tensor quantizeActivation(const at::Tensor& input, int bits, const ActivationRange& range) const override;
    bool needsCalibration() const override { return true; }
    int64_t weightScaleCount(const LayerInfo&) const override { return 1; } ///< alpha, per layer
    std::unique_ptr<LearnedLayerQuantizer> learnedLayer(const at::Tensor& weight, LayerBits bits,
                                                        const ActivationRange& input) const override;

private:
    bool powerOfTwo_;
};

/// The levels above, ascending; ConfigError for a width the level set cannot do.
std::vector<double> qnLevels(int bits, bool symmetric, bool powerOfTwo);
/// Sorted centres of 1-D k-means (Lloyd's iterations from evenly spaced quantiles) of `values`.
std::vector<double> kMeans1d(const at::Tensor& values, int clusters, int iterations = 30);
/// The temperature after `epochs` of training: 20 (1 + risePerEpoch x epochs), at most 2000.
double qnTemperature(double epochs, double risePerEpoch);

/// A staircase: levels and thresholds, both ascending, thresholds one fewer.
struct QnStaircase {
    std::vector<double> levels;
    std::vector<double> thresholds; ///< in units of beta x
    double beta = 1;                ///< initial beta; alpha starts at 1 / beta
};
/// The weight staircase initialised from `weight`, and the activation staircase from a range.
QnStaircase qnWeightStaircase(const at::Tensor& weight, int bits, bool powerOfTwo);
QnStaircase qnActivationStaircase(int bits, const ActivationRange& range);
/// `alpha (sum_i s_i sigmoid(T (beta x - b_i)) - o)`; `temperature` <= 0: the hard staircase.
at::Tensor qnStaircase(const at::Tensor& x, const at::Tensor& alpha, const at::Tensor& beta, const QnStaircase& stair,
                       double temperature);

} // namespace quantscope
