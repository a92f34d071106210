#pragma once

#include "common/layer_info.h"
#include "quant/layer_bits.h"
#include "quant/quantizer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace at {
class Tensor;
}
namespace torch::nn {
class Conv2dImpl;
class LinearImpl;
} // namespace torch::nn
namespace torch::jit {
struct Module;
} // namespace torch::jit

namespace quantscope {

/// The quantizable layers of a network and the quantization applied to them.
///
/// A network registers each conv and linear layer once, in data-flow order, and runs it through
/// `conv2d()` / `linear()`. With no quantization set these are the plain float layers; with one,
/// the input activation and the weight are fake-quantized with straight-through gradients, from
/// the FP32 weights (the optimizer keeps updating those: NUQ's shadow weights). Weights quantized
/// for inference are cached until the FP32 weight changes.
class QuantizableLayers {
public:
    QuantizableLayers();
    ~QuantizableLayers();
    QuantizableLayers(const QuantizableLayers&) = delete;
    QuantizableLayers& operator=(const QuantizableLayers&) = delete;

    /// Registers a layer under its qualified module name; returns its index.
    int add(const std::string& name, torch::nn::Conv2dImpl& conv);
    int add(const std::string& name, torch::nn::LinearImpl& linear);

    at::Tensor conv2d(int layer, const at::Tensor& input);
    at::Tensor linear(int layer, const at::Tensor& input);

    /// A layer of an imported TorchScript network (a scripted Conv2d or Linear submodule), whose
    /// rewritten forward graph calls the three hooks below instead of conv2d()/linear().
    int add(const std::string& name, LayerKind kind, const torch::jit::Module& module);
    at::Tensor hookInput(int layer, const at::Tensor& input);   ///< input, quantized or recorded
    at::Tensor hookWeight(int layer, const at::Tensor& weight); ///< weight, quantized (STE)
    at::Tensor hookOutput(int layer, const at::Tensor& output); ///< output, its size recorded
    /// Keeps only the layers a forward pass reached since the last reorder, in the order they were
    /// first reached; returns each old index's new index (-1: dropped).
    std::vector<int> reorderByFirstUse();

    size_t size() const;
    /// The FP32 weight parameter of layer `index` (the tensor the optimizer updates).
    at::Tensor weight(int index) const;
    std::vector<std::string> names() const;
    /// Inventory after at least one forward pass (which records output sizes).
    std::vector<LayerInfo> inventory() const;

    /// Quantizes every layer with `bits` (one entry per layer, 0 = float). `quantizeImageInput`
    /// also quantizes the activation of layers that read the network input (NUQ leaves it float).
    void setQuantization(std::shared_ptr<const Quantizer> quantizer, std::vector<LayerBits> bits,
                         bool quantizeImageInput);
    void clearQuantization();
    /// The quantizer's learned parameters (LearnedLayerQuantizer), for the optimizer; empty for
    /// quantizers without any.
    std::vector<at::Tensor> quantizerParameters() const;
    /// Training progress, for the learned quantizers' schedules (QN's temperature).
    void setTrainingEpochs(double epochs);
    /// Copies of `other`'s learned quantizers (a trained network's, into its export copy); the two
    /// must have the same layers and quantization.
    void copyLearnedQuantizers(const QuantizableLayers& other);
    /// The quantized weight inference uses (learned or not), without gradient.
    at::Tensor inferenceWeight(int index);
    /// Layer `index`'s learned input quantizer; nullopt without one.
    std::optional<LearnedStaircase> learnedInputStaircase(int index) const;
    bool quantized() const;
    const std::vector<LayerBits>& bits() const;

    /// While on, forward passes record each layer's input range instead of quantizing inputs.
    void setCalibrating(bool on);
    std::vector<ActivationRange> activationRanges() const;
    void setActivationRanges(std::vector<ActivationRange> ranges);

    /// Marks the layers that read the image during the inventory pass: `networkInput` itself or a
    /// per-channel affine function of it (normalisation inside `forward`); undefined ends the pass.
    void markImageInput(const at::Tensor& networkInput);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace quantscope
