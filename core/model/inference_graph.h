#pragma once

#include <cstdint>
#include <limits>
#include <map>
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
/// backend's named_parameters() and named_buffers(), or among the graph's constants.
struct GraphOp {
    enum class Kind {
        Conv,      ///< 2-D convolution of quantizable layer `layer`
        Linear,    ///< fully connected, quantizable layer `layer`
        BatchNorm, ///< inference-mode batch norm (running statistics, `eps`)
        Relu,
        MaxPool,     ///< square `kernel`, `stride`, `padding`, `dilation`, `ceilMode`
        AveragePool, ///< as MaxPool, and `countIncludePad`
        Add,         ///< element-wise, two inputs (either may name a constant), broadcasting
        Sub,
        Mul,
        Div,
        Concat,            ///< along `axis`
        GlobalAveragePool, ///< N x C x H x W -> N x C (pooled and flattened), or N x C x 1 x 1 (`keepSpatial`)
        Clip,              ///< clamp to [`lo`, `hi`] (ReLU6, hardtanh, clamp)
        LeakyRelu,         ///< slope `alpha` below 0
        Sigmoid,
        Tanh,
        Softmax,    ///< along `axis`
        LogSoftmax, ///< along `axis`
        Reshape,    ///< to `shape`: 0 keeps the input's dimension there, -1 is inferred
    };
    Kind kind = Kind::Relu;
    std::vector<std::string> inputs;
    std::string output;
    std::string module;
    int layer = -1;
    int kernel = 1, stride = 1, padding = 0, groups = 1, dilation = 1;
    bool ceilMode = false, countIncludePad = true, keepSpatial = false;
    bool hasBias = false;
    double eps = 1e-5;
    int axis = 1;
    double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    double alpha = 0.01;
    std::vector<int64_t> shape;
};

/// A tensor the computation holds besides the network's parameters and buffers (a constant in an
/// imported graph, a plain tensor attribute, the unit weights of a batch norm without affine).
struct GraphConstant {
    std::vector<int64_t> shape;
    std::vector<float> values;
};

/// A network's inference computation as operations on named values in execution order, for the
/// exporters (TorchScript, ONNX): one description per architecture instead of one per format.
/// The input value is the normalised image batch.
struct InferenceGraph {
    std::string input = "x";
    std::string output;
    std::vector<GraphOp> ops;
    /// By name; a parameter or buffer of the same qualified name takes precedence (current values).
    std::map<std::string, GraphConstant> constants;
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
