// VGG-11-style network: VGG-11's stage pattern (1, 1, 2, 2, 2 convs) scaled for 28x28 / 32x32
// input on a CPU: 8 conv layers (3x3, BN, ReLU) of 16-128 channels, three 2x2 max-pools, global
// average pooling and one linear classifier.
#include "model/network_backend.h"
#include "model/zoo.h"

#include <torch/torch.h>

namespace quantscope {
namespace {

struct ConvStage {
    int channels;
    bool poolAfter;
};
const std::vector<ConvStage> kStages = {{16, true},  {32, true}, {64, false},  {64, false},
                                        {96, false}, {96, true}, {128, false}, {128, false}};

class Vgg11s final : public torch::nn::Module, public ZooBackend {
public:
    explicit Vgg11s(const ModelSpec& spec) : ZooBackend(spec)
    {
        int in = spec.channels;
        for (size_t i = 0; i < kStages.size(); ++i) {
            const std::string index = std::to_string(i);
            auto conv = register_module(
                "conv" + index,
                torch::nn::Conv2d(torch::nn::Conv2dOptions(in, kStages[i].channels, 3).padding(1).bias(false)));
            bns_.push_back(register_module("bn" + index, torch::nn::BatchNorm2d(kStages[i].channels)));
            quantLayers_.add("conv" + index, *conv);
            convs_.push_back(conv);
            in = kStages[i].channels;
        }
        classifier_ = register_module("classifier", torch::nn::Linear(in, spec.classes));
        classifierIndex_ = quantLayers_.add("classifier", *classifier_);
    }

    at::Tensor forward(const at::Tensor& input) override
    {
        torch::Tensor x = input;
        for (size_t i = 0; i < kStages.size(); ++i) {
            x = torch::relu(bns_[i](quantLayers_.conv2d(int(i), x)));
            if (kStages[i].poolAfter)
                x = torch::max_pool2d(x, 2);
        }
        x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
        return quantLayers_.linear(classifierIndex_, x);
    }

    torch::nn::Module& module() override { return *this; }

    InferenceGraph inferenceGraph() const override
    {
        GraphBuilder g;
        std::string x = g.input();
        for (size_t i = 0; i < kStages.size(); ++i) {
            const std::string index = std::to_string(i);
            x = g.convBnRelu(int(i), "conv" + index, *convs_[i], "bn" + index, *bns_[i], x);
            if (kStages[i].poolAfter)
                x = g.maxPool(x, 2, 2);
        }
        return g.finish(g.linear(classifierIndex_, "classifier", *classifier_, g.globalAveragePool(x)));
    }

private:
    std::vector<torch::nn::Conv2d> convs_;
    std::vector<torch::nn::BatchNorm2d> bns_;
    torch::nn::Linear classifier_{nullptr};
    int classifierIndex_ = 0;
};

} // namespace

std::shared_ptr<NetworkBackend> makeVgg11s(const ModelSpec& spec)
{
    return std::make_shared<Vgg11s>(spec);
}

} // namespace quantscope
