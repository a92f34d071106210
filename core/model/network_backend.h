#pragma once

#include "model/quantizable_layers.h"

#include <functional>
#include <string>

namespace at {
class Tensor;
}
namespace torch::nn {
class Module;
}

namespace quantscope {

/// What the training and evaluation code needs from a network, whatever its origin (zoo or, later,
/// an imported TorchScript file). Internal to core: only core's .cpp files, which include LibTorch,
/// call the torch-typed members.
class NetworkBackend {
public:
    virtual ~NetworkBackend() = default;
    /// Logits for a batch of normalised images (N x C x H x W, float).
    virtual at::Tensor forward(const at::Tensor& input) = 0;
    /// The module owning the parameters and buffers (for optimizers, train/eval mode, saving).
    virtual torch::nn::Module& module() = 0;
    QuantizableLayers& quantLayers() { return quantLayers_; }

    /// The body of a TorchScript `forward(self, x)` computing the same network, for export:
    /// parameters and buffers are attributes named by their qualified names with '.' -> '_',
    /// and `quantizeInput(layer, expression)` wraps the input of each quantizable layer. The
    /// input `x` is already normalised. Architectures without one throw ConfigError.
    virtual std::string torchScriptForward(
        const std::function<std::string(int layer, const std::string& input)>& quantizeInput) const;

protected:
    QuantizableLayers quantLayers_;
};

} // namespace quantscope
