#pragma once

#include "common/layer_info.h"
#include "quant/layer_bits.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace quantscope {

enum class QuantizerKind {
    DSConv,       ///< NUQ's quantizer: DSConv weight blocks, block-floating-point activations
    Uniform,      ///< uniform symmetric per-channel weights, uniform per-tensor activations (integer runtimes)
    Hwgq,         ///< HWGQ: half-wave Gaussian activations, binary or Gaussian-step weights (Cai et al. 2017)
    Qn,           ///< Quantization Networks: learned soft staircases, uniform levels (Yang et al. 2019)
    QnPowerOfTwo, ///< Quantization Networks with the paper's power-of-two weight levels
};

/// "dsconv", "uniform", "hwgq", "qn" or "qn-pow2"; ConfigError otherwise.
QuantizerKind parseQuantizerKind(const std::string& name);
std::string quantizerName(QuantizerKind kind);
/// Why `kind`'s quantized values have no scale/zero-point (QuantizeLinear, AIMET encoding) form;
/// empty for the uniform quantizer, which has one.
std::string scaleOffsetObstacle(QuantizerKind kind);

/// Observed range of a layer's input activation (from a calibration pass).
struct ActivationRange {
    float maxAbs = 0.0f;
    bool nonNegative = true;
    /// Sum of squares of the observed values, and how many were observed (all, and positive).
    double sumSquares = 0;
    double count = 0;
    double positiveCount = 0;
    bool valid() const { return maxAbs > 0.0f; }
    /// The sd of the zero-mean Gaussian the values came from: sqrt(E[x^2 | x > 0]) for
    /// non-negative inputs (the half-wave of a pre-activation), sqrt(E[x^2]) otherwise; 0 unknown.
    double gaussianSd() const;
};

/// A learned quantizer in closed form, for exporters: `alpha * levels[i]` with `i` the number of
/// thresholds below `beta x`.
struct LearnedStaircase {
    double alpha = 1;
    double beta = 1;
    std::vector<double> thresholds;
    std::vector<double> levels;
};

/// One layer's quantizer with learned parameters (Quantization Networks' scales), made for that
/// layer when quantization is set and trained with the network.
class LearnedLayerQuantizer {
public:
    virtual ~LearnedLayerQuantizer() = default;
    /// The layer's quantized weight / input; `training`: the differentiable (soft) form.
    virtual at::Tensor weight(const at::Tensor& weight, bool training) = 0;
    virtual at::Tensor activation(const at::Tensor& input, bool training) = 0;
    /// The learned tensors, for the optimizer.
    virtual std::vector<at::Tensor> parameters() const = 0;
    /// Training progress in epochs (fractions too), for schedules such as a temperature.
    virtual void setTrainingEpochs(double epochs) = 0;
    /// A copy with its own (detached) parameters.
    virtual std::unique_ptr<LearnedLayerQuantizer> clone() const = 0;
    /// The input's quantizer as inference applies it; nullopt when the input stays float.
    virtual std::optional<LearnedStaircase> inputStaircase() const = 0;
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
    /// Multiplies the gradient that reaches a quantized input (undefined: straight through,
    /// gradient 1 everywhere). HWGQ's is its clipped ReLU.
    virtual at::Tensor activationGradientMask(const at::Tensor& input, int bits, const ActivationRange& range) const;
    /// A layer quantizer with learned parameters, initialised from the layer's weight, widths and
    /// calibrated input range; null (the default) for quantizers without learned parameters.
    virtual std::unique_ptr<LearnedLayerQuantizer> learnedLayer(const at::Tensor& weight, LayerBits bits,
                                                                const ActivationRange& input) const
    {
        (void)weight, (void)bits, (void)input;
        return nullptr;
    }
    /// Whether activation ranges must be calibrated before evaluation.
    virtual bool needsCalibration() const = 0;
    /// FP32 scale factors stored with a layer's quantized weights.
    virtual int64_t weightScaleCount(const LayerInfo& layer) const = 0;
};

std::unique_ptr<Quantizer> makeQuantizer(QuantizerKind kind);

} // namespace quantscope
