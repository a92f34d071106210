// A small GoogLeNet (Szegedy et al., CVPR 2015) after the CIFAR variant NUQ uses: a 3x3 stem,
// four inception modules in two resolutions, each with a 1x1 branch, a 1x1-3x3 branch, a
// 1x1-3x3-3x3 branch (the factorised 5x5) and a 3x3 max-pool-1x1 branch; global average pooling
// and a linear classifier. Module names follow that variant ("a3.b2.3" is a3's second branch's 3x3 conv).
#include "model/network_backend.h"
#include "model/zoo.h"

#include <torch/torch.h>

namespace quantscope {
namespace {

/// One branch: an optional leading 3x3 max-pool, then conv-BN-ReLU triples in a Sequential.
struct Branch {
    bool poolFirst = false;
    std::vector<int> convIndex;
    std::vector<torch::nn::Conv2d> convs;
    std::vector<torch::nn::BatchNorm2d> bns;
    std::vector<std::string> convNames, bnNames; ///< qualified module names, for export
};

class Inception final : public torch::nn::Module {
public:
    struct Widths {
        int b1, b2Reduce, b2, b3Reduce, b3, b4;
        int output() const { return b1 + b2 + b3 + b4; }
    };

    Inception(int in, const Widths& w, QuantizableLayers& layers, const std::string& prefix)
    {
        branches_.push_back(makeBranch("b1", false, {{in, w.b1, 1}}, layers, prefix));
        branches_.push_back(makeBranch("b2", false, {{in, w.b2Reduce, 1}, {w.b2Reduce, w.b2, 3}}, layers, prefix));
        branches_.push_back(
            makeBranch("b3", false, {{in, w.b3Reduce, 1}, {w.b3Reduce, w.b3, 3}, {w.b3, w.b3, 3}}, layers, prefix));
        branches_.push_back(makeBranch("b4", true, {{in, w.b4, 1}}, layers, prefix));
    }

    torch::Tensor forward(QuantizableLayers& layers, const torch::Tensor& x)
    {
        std::vector<torch::Tensor> outputs;
        for (Branch& branch : branches_) {
            torch::Tensor y = branch.poolFirst ? torch::max_pool2d(x, 3, 1, 1) : x;
            for (size_t i = 0; i < branch.convIndex.size(); ++i)
                y = torch::relu(branch.bns[i](layers.conv2d(branch.convIndex[i], y)));
            outputs.push_back(y);
        }
        return torch::cat(outputs, 1);
    }

    std::string addToGraph(GraphBuilder& g, const std::string& x) const
    {
        std::vector<std::string> outputs;
        for (const Branch& branch : branches_) {
            std::string y = branch.poolFirst ? g.maxPool(x, 3, 1, 1) : x;
            for (size_t i = 0; i < branch.convIndex.size(); ++i)
                y = g.convBnRelu(branch.convIndex[i], branch.convNames[i], *branch.convs[i], branch.bnNames[i],
                                 *branch.bns[i], y);
            outputs.push_back(y);
        }
        return g.concat(outputs);
    }

private:
    struct ConvShape {
        int in, out, kernel;
    };

    Branch makeBranch(const std::string& name, bool poolFirst, const std::vector<ConvShape>& convs,
                      QuantizableLayers& layers, const std::string& prefix)
    {
        Branch branch;
        branch.poolFirst = poolFirst;
        torch::nn::Sequential sequence;
        if (poolFirst)
            sequence->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(1).padding(1)));
        for (const ConvShape& c : convs) {
            auto conv =
                torch::nn::Conv2d(torch::nn::Conv2dOptions(c.in, c.out, c.kernel).padding(c.kernel / 2).bias(false));
            auto bn = torch::nn::BatchNorm2d(c.out);
            const std::string qualified = prefix + "." + name + "." + std::to_string(sequence->size());
            branch.convNames.push_back(qualified);
            branch.bnNames.push_back(prefix + "." + name + "." + std::to_string(sequence->size() + 1));
            branch.convs.push_back(conv);
            sequence->push_back(conv);
            sequence->push_back(bn);
            sequence->push_back(torch::nn::ReLU());
            branch.convIndex.push_back(layers.add(qualified, *conv));
            branch.bns.push_back(bn);
        }
        register_module(name, sequence);
        return branch;
    }

    std::vector<Branch> branches_;
};

class GooglenetSmall final : public torch::nn::Module, public ZooBackend {
public:
    explicit GooglenetSmall(const ModelSpec& spec) : ZooBackend(spec)
    {
        stemConv_ = torch::nn::Conv2d(torch::nn::Conv2dOptions(spec.channels, 32, 3).padding(1).bias(false));
        stemBn_ = torch::nn::BatchNorm2d(32);
        register_module("pre_layers", torch::nn::Sequential(stemConv_, stemBn_, torch::nn::ReLU()));
        quantLayers_.add("pre_layers.0", *stemConv_);

        int in = 32;
        const std::vector<std::pair<std::string, Inception::Widths>> modules = {
            {"a3", {16, 16, 24, 4, 8, 8}},
            {"b3", {24, 24, 32, 8, 16, 16}},
            {"a4", {32, 24, 48, 8, 16, 16}},
            {"b4", {40, 32, 64, 12, 24, 24}},
        };
        for (const auto& [name, widths] : modules) {
            inceptions_.push_back(register_module(name, std::make_shared<Inception>(in, widths, quantLayers_, name)));
            in = widths.output();
        }
        linear_ = register_module("linear", torch::nn::Linear(in, spec.classes));
        linearIndex_ = quantLayers_.add("linear", *linear_);
    }

    at::Tensor forward(const at::Tensor& input) override
    {
        torch::Tensor x = torch::relu(stemBn_(quantLayers_.conv2d(0, input)));
        x = torch::max_pool2d(x, 2);
        for (size_t i = 0; i < inceptions_.size(); ++i) {
            x = inceptions_[i]->forward(quantLayers_, x);
            if (i == 1)
                x = torch::max_pool2d(x, 2);
        }
        x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
        return quantLayers_.linear(linearIndex_, x);
    }

    torch::nn::Module& module() override { return *this; }

    InferenceGraph inferenceGraph() const override
    {
        GraphBuilder g;
        std::string x =
            g.maxPool(g.convBnRelu(0, "pre_layers.0", *stemConv_, "pre_layers.1", *stemBn_, g.input()), 2, 2);
        for (size_t i = 0; i < inceptions_.size(); ++i) {
            x = inceptions_[i]->addToGraph(g, x);
            if (i == 1)
                x = g.maxPool(x, 2, 2);
        }
        return g.finish(g.linear(linearIndex_, "linear", *linear_, g.globalAveragePool(x)));
    }

private:
    torch::nn::Conv2d stemConv_{nullptr};
    torch::nn::BatchNorm2d stemBn_{nullptr};
    std::vector<std::shared_ptr<Inception>> inceptions_;
    torch::nn::Linear linear_{nullptr};
    int linearIndex_ = 0;
};

} // namespace

std::shared_ptr<NetworkBackend> makeGooglenetSmall(const ModelSpec& spec)
{
    return std::make_shared<GooglenetSmall>(spec);
}

} // namespace quantscope
