#pragma once

#include "model/inference_graph.h"
#include "model/quantizable_layers.h"

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

    /// The inference computation as a graph, for export. Architectures without one throw ConfigError.
    virtual InferenceGraph inferenceGraph() const;

protected:
    QuantizableLayers quantLayers_;
};

} // namespace quantscope
