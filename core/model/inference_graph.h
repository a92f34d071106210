#pragma once

#include <string>
#include <vector>

namespace torch::nn {
class Conv2dImpl;
class BatchNorm2dImpl;
class LinearImpl;
} // namespace torch::nn

namespace quantscope {

/// One operation of a network's inference computation. Parameters are found by the qualified name
/// of the module that owns them (`module + ".weight"`, `".running_mean"`, ...), as in the
/// backend's named_parameters() and named_buffers().
struct GraphOp {
    enum class Kind {
        Conv,              ///< 2-D convolution of quantizable layer `layer`
        Linear,            ///< fully connected, quantizable layer `layer`
        BatchNorm,         ///< inference-mode batch norm (running statistics, `eps`)
        Relu,
        MaxPool,           ///< square `kernel`, `stride`, `padding`
        Add,               ///< element-wise sum of two inputs
        Concat,            ///< along channels
        GlobalAveragePool, ///< N x C x H x W -> N x C (pooled and flattened)
    };
    Kind kind = Kind::Relu;
    std::vector<std::string> inputs;
    std::string output;
    std::string module;
    int layer = -1;
    int kernel = 1, stride = 1, padding = 0, groups = 1;
    bool hasBias = false;
    double eps = 1e-5;
};

/// A network's inference computation as operations on named values in execution order, for the
/// exporters (TorchScript, ONNX): one description per architecture instead of one per format.
/// The input value is the normalised image batch.
struct InferenceGraph {
    std::string input = "x";
    std::string output;
    std::vector<GraphOp> ops;
};

/// Appends operations with fresh value names; each call returns the name of its output.
class GraphBuilder {
public:
    const std::string& input() const { return graph_.input; }
    std::string conv(int layer, const std::string& module, const torch::nn::Conv2dImpl& conv, const std::string& x);
    std::string batchNorm(const std::string& module, const torch::nn::BatchNorm2dImpl& bn, const std::string& x);
    std::string relu(const std::string& x);
    std::string maxPool(const std::string& x, int kernel, int stride, int padding = 0);
    std::string add(const std::string& a, const std::string& b);
    std::string concat(const std::vector<std::string>& xs);
    std::string globalAveragePool(const std::string& x);
    std::string linear(int layer, const std::string& module, const torch::nn::LinearImpl& linear, const std::string& x);
    /// conv -> batch norm -> ReLU, the zoo's building block.
    std::string convBnRelu(int layer, const std::string& convModule, const torch::nn::Conv2dImpl& c,
                           const std::string& bnModule, const torch::nn::BatchNorm2dImpl& bn, const std::string& x);
    InferenceGraph finish(const std::string& output);

private:
    std::string append(GraphOp op);
    InferenceGraph graph_;
};

} // namespace quantscope
