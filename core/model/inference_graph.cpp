#include "model/inference_graph.h"

#include <torch/torch.h>

namespace quantscope {

std::string GraphBuilder::append(GraphOp op)
{
    op.output = "t" + std::to_string(graph_.ops.size() + 1);
    graph_.ops.push_back(std::move(op));
    return graph_.ops.back().output;
}

std::string GraphBuilder::conv(int layer, const std::string& module, const torch::nn::Conv2dImpl& c,
                               const std::string& x)
{
    const auto& options = c.options;
    const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&options.padding());
    TORCH_CHECK(padding && options.kernel_size()->at(0) == options.kernel_size()->at(1)
                    && options.stride()->at(0) == options.stride()->at(1) && (*padding)->at(0) == (*padding)->at(1)
                    && options.dilation()->at(0) == 1 && options.dilation()->at(1) == 1,
                "inference graphs describe square, undilated convolutions with explicit padding");
    GraphOp op;
    op.kind = GraphOp::Kind::Conv;
    op.inputs = {x};
    op.module = module;
    op.layer = layer;
    op.kernel = int(options.kernel_size()->at(0));
    op.stride = int(options.stride()->at(0));
    op.padding = int((*padding)->at(0));
    op.groups = int(options.groups());
    op.hasBias = options.bias();
    return append(std::move(op));
}

std::string GraphBuilder::batchNorm(const std::string& module, const torch::nn::BatchNorm2dImpl& bn,
                                    const std::string& x)
{
    GraphOp op;
    op.kind = GraphOp::Kind::BatchNorm;
    op.inputs = {x};
    op.module = module;
    op.eps = bn.options.eps();
    return append(std::move(op));
}

std::string GraphBuilder::relu(const std::string& x)
{
    GraphOp op;
    op.kind = GraphOp::Kind::Relu;
    op.inputs = {x};
    return append(std::move(op));
}

std::string GraphBuilder::maxPool(const std::string& x, int kernel, int stride, int padding)
{
    GraphOp op;
    op.kind = GraphOp::Kind::MaxPool;
    op.inputs = {x};
    op.kernel = kernel;
    op.stride = stride;
    op.padding = padding;
    return append(std::move(op));
}

std::string GraphBuilder::add(const std::string& a, const std::string& b)
{
    GraphOp op;
    op.kind = GraphOp::Kind::Add;
    op.inputs = {a, b};
    return append(std::move(op));
}

std::string GraphBuilder::concat(const std::vector<std::string>& xs)
{
    GraphOp op;
    op.kind = GraphOp::Kind::Concat;
    op.inputs = xs;
    return append(std::move(op));
}

std::string GraphBuilder::globalAveragePool(const std::string& x)
{
    GraphOp op;
    op.kind = GraphOp::Kind::GlobalAveragePool;
    op.inputs = {x};
    return append(std::move(op));
}

std::string GraphBuilder::linear(int layer, const std::string& module, const torch::nn::LinearImpl& linear,
                                 const std::string& x)
{
    GraphOp op;
    op.kind = GraphOp::Kind::Linear;
    op.inputs = {x};
    op.module = module;
    op.layer = layer;
    op.hasBias = linear.options.bias();
    return append(std::move(op));
}

std::string GraphBuilder::convBnRelu(int layer, const std::string& convModule, const torch::nn::Conv2dImpl& c,
                                     const std::string& bnModule, const torch::nn::BatchNorm2dImpl& bn,
                                     const std::string& x)
{
    return relu(batchNorm(bnModule, bn, conv(layer, convModule, c, x)));
}

InferenceGraph GraphBuilder::finish(const std::string& output)
{
    graph_.output = output;
    return std::move(graph_);
}

} // namespace quantscope
