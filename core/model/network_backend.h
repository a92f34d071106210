#pragma once

#include "model/inference_graph.h"
#include "model/model_spec.h"
#include "model/quantizable_layers.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace at {
class Tensor;
}
namespace torch::nn {
class Module;
}
namespace torch::jit {
struct Module;
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
    /// The trainable parameters (what optimizers update).
    virtual std::vector<at::Tensor> parameters() const = 0;
    /// Parameters, then buffers (BN statistics), by qualified name.
    virtual std::vector<std::pair<std::string, at::Tensor>> namedTensors() const = 0;
    virtual void setTraining(bool training) = 0;
    virtual bool isTraining() const = 0;
    /// Moves parameters and buffers to `device` ("cpu", "cuda").
    virtual void to(const std::string& device) = 0;
    /// An independent copy with the same parameters, buffers and calibrated ranges, on the CPU.
    virtual std::shared_ptr<NetworkBackend> clone() const = 0;
    QuantizableLayers& quantLayers() { return quantLayers_; }
    const QuantizableLayers& quantLayers() const { return quantLayers_; }

    /// The inference computation as a graph, for export (ONNX, AIMET, the zoo's TorchScript). An
    /// imported network with an operator outside the translated set throws ConfigError naming it.
    virtual InferenceGraph inferenceGraph() const = 0;
    /// Imported networks: a fresh copy of the TorchScript module as the user made it (graphs not
    /// rewritten), into `out`; false for zoo networks. Export rewrites it with standard operators.
    virtual bool originalTorchScript(torch::jit::Module& /*out*/) const { return false; }

protected:
    QuantizableLayers quantLayers_;
};

/// Restores the module's train/eval mode when it goes out of scope.
class ModeGuard {
public:
    ModeGuard(const ModeGuard&) = delete;
    ModeGuard& operator=(const ModeGuard&) = delete;
    ModeGuard(NetworkBackend& backend, bool training) : backend_(backend), was_(backend.isTraining())
    {
        backend_.setTraining(training);
    }
    ~ModeGuard() { backend_.setTraining(was_); }

private:
    NetworkBackend& backend_;
    bool was_;
};

/// A zoo network: a torch::nn::Module built in C++ (model/zoo_*.cpp).
class ZooBackend : public NetworkBackend {
public:
    explicit ZooBackend(ModelSpec spec) : spec_(std::move(spec)) {}
    /// The module owning the parameters and buffers (saving and loading Quantscope model files).
    virtual torch::nn::Module& module() = 0;
    const torch::nn::Module& module() const { return const_cast<ZooBackend*>(this)->module(); }

    std::vector<at::Tensor> parameters() const override;
    std::vector<std::pair<std::string, at::Tensor>> namedTensors() const override;
    void setTraining(bool training) override;
    bool isTraining() const override;
    void to(const std::string& device) override;
    std::shared_ptr<NetworkBackend> clone() const override;

private:
    ModelSpec spec_;
};

} // namespace quantscope
