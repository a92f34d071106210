#pragma once

#include "quant/quantizer.h"

#include <memory>
#include <vector>

namespace quantscope {

/// The widths an EBS search chooses among, the same for every searched layer.
struct BitCandidates {
    std::vector<int> weight = {1, 2, 3, 4, 8};
    std::vector<int> activation = {1, 2, 3, 4, 8};
    /// One strength vector per layer for its weight and its input together (NUQ's coupled scheme,
    /// the configurations a study's encodings represent); `weight` lists the candidates then.
    bool coupled = true;

    /// ConfigError unless every list is non-empty, strictly increasing and within 1..8.
    void validate() const;
    const std::vector<int>& activations() const { return coupled ? weight : activation; }
};

/// EBS's search-time quantizer (Li et al. 2020, and EdMIPS, Cai and Vasconcelos 2020): a searched
/// layer's weight is `sum_k softmax(alpha_w)_k Q_k(w)` of its one FP32 ("meta") weight and its
/// input `sum_k softmax(alpha_a)_k Q_k(x)`, Q_k the base quantizer at candidate width k with the
/// straight-through gradients fine-tuning uses, so one convolution serves every candidate. The
/// strengths are each layer's learned parameters (LearnedLayerQuantizer::parameters():
/// {alpha_w, alpha_a}, or {alpha} when coupled), all zero at the start (equal candidates).
///
/// Layers given `kSearched` bits (QuantizableLayers::setQuantization) are searched; others keep
/// the base quantizer at their bits (a pinned last layer) or stay float (0).
class MixedPrecisionQuantizer : public Quantizer {
public:
    static constexpr int kSearched = -1;

    MixedPrecisionQuantizer(std::shared_ptr<const Quantizer> base, BitCandidates candidates);

    QuantizerKind kind() const override { return base_->kind(); }
    at::Tensor quantizeWeight(const at::Tensor& weight, int bits) const override;
    at::Tensor quantizeActivation(const at::Tensor& input, int bits, const ActivationRange& range) const override;
    at::Tensor activationGradientMask(const at::Tensor& input, int bits, const ActivationRange& range) const override;
    std::unique_ptr<LearnedLayerQuantizer> learnedLayer(const at::Tensor& weight, LayerBits bits,
                                                        const ActivationRange& input) const override;
    bool needsCalibration() const override { return base_->needsCalibration(); }
    int64_t weightScaleCount(const LayerInfo& layer) const override { return base_->weightScaleCount(layer); }

    const BitCandidates& candidates() const { return candidates_; }
    const Quantizer& base() const { return *base_; }

private:
    std::shared_ptr<const Quantizer> base_;
    BitCandidates candidates_;
};

} // namespace quantscope
