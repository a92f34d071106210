#pragma once

#include "common/layer_info.h"
#include "model/model_spec.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace torch::serialize {
class InputArchive;
}

namespace quantscope {

class NetworkBackend;

/// A trained or freshly built CNN with its quantizable layers. Free of LibTorch types, so widgets
/// and the application can hold one; core's training and evaluation code reach the module
/// through `backend()`.
class Network {
public:
    /// A zoo network with fresh weights, initialised from `seed`.
    static Network create(const ModelSpec& spec, uint64_t seed = 0);
    /// A network saved by `save()`. Throws `ModelError` naming the file when it is missing,
    /// corrupt or not a Quantscope model.
    static Network load(const std::string& path);
    /// A TorchScript file (torch.jit.script or trace, then save) imported for quantization:
    /// `input` gives the input shape and normalisation (its classes come from the model's output).
    /// ModelError naming the problem (see importTorchScript in model/torchscript_backend.h).
    static Network importTorchScript(const std::string& path, ModelSpec input);
    /// `path` as a Quantscope model file if it is one, else imported as TorchScript with `input`.
    static Network open(const std::string& path, const ModelSpec& input);
    /// As above, `input` asked for only when `path` is a TorchScript file (an image folder's
    /// input shape comes from reading the folder, which a Quantscope model file does not need).
    static Network openOrImport(const std::string& path, const std::function<ModelSpec()>& input);
    void save(const std::string& path) const;

    /// An independent copy (parameters and buffers copied): the base of every quantized trial.
    Network clone() const;

    const ModelSpec& spec() const { return spec_; }
    /// The quantizable layers in data-flow order, with shapes and MACs at the spec's input size.
    const std::vector<LayerInfo>& layers() const { return layers_; }
    std::vector<std::string> layerNames() const;
    int64_t parameterCount() const;

    /// Throws `ModelError` when images of `channels x height x width` (from `source`, e.g. a data
    /// set name) do not fit the network's input.
    void requireInputShape(int channels, int height, int width, const std::string& source) const;

    /// "cpu", "cuda", or "auto" (CUDA when this LibTorch has it and a GPU is present).
    void toDevice(const std::string& device);
    std::string device() const { return device_; }

    NetworkBackend& backend() const { return *backend_; }

private:
    Network(ModelSpec spec, std::shared_ptr<NetworkBackend> backend);
    static Network fromArchive(const std::string& path, torch::serialize::InputArchive& archive);
    void takeInventory();

    ModelSpec spec_;
    std::shared_ptr<NetworkBackend> backend_;
    std::vector<LayerInfo> layers_;
    std::string device_ = "cpu";
};

} // namespace quantscope
