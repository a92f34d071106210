// ResNet-20 for CIFAR (He et al., CVPR 2016, section 4.2): a 3x3 conv of 16 channels, three stages
// of three basic blocks (16, 32, 64 channels; the second and third stage start with stride 2),
// global average pooling and a linear classifier. Down-sampling shortcuts are 1x1 conv + BN
// (option B), as in NUQ's code, so they are quantizable layers too.
#include "model/network_backend.h"
#include "model/zoo.h"

#include <torch/torch.h>

namespace quantscope {
namespace {

torch::nn::Conv2d conv3x3(int in, int out, int stride)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

class BasicBlock final : public torch::nn::Module {
public:
    BasicBlock(int in, int out, int stride) :
        conv1(register_module("conv1", conv3x3(in, out, stride))),
        bn1(register_module("bn1", torch::nn::BatchNorm2d(out))), conv2(register_module("conv2", conv3x3(out, out, 1))),
        bn2(register_module("bn2", torch::nn::BatchNorm2d(out)))
    {
        if (stride != 1 || in != out) {
            shortcutConv = torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).stride(stride).bias(false));
            shortcutBn = torch::nn::BatchNorm2d(out);
            register_module("shortcut", torch::nn::Sequential(shortcutConv, shortcutBn));
        }
    }

    void registerLayers(QuantizableLayers& layers, const std::string& prefix)
    {
        conv1Index = layers.add(prefix + ".conv1", *conv1);
        conv2Index = layers.add(prefix + ".conv2", *conv2);
        if (shortcutConv)
            shortcutIndex = layers.add(prefix + ".shortcut.0", *shortcutConv);
    }

    torch::Tensor forward(QuantizableLayers& layers, const torch::Tensor& x)
    {
        torch::Tensor out = torch::relu(bn1(layers.conv2d(conv1Index, x)));
        out = bn2(layers.conv2d(conv2Index, out));
        const torch::Tensor shortcut = shortcutConv ? shortcutBn(layers.conv2d(shortcutIndex, x)) : x;
        return torch::relu(out + shortcut);
    }

    torch::nn::Conv2d conv1;
    torch::nn::BatchNorm2d bn1;
    torch::nn::Conv2d conv2;
    torch::nn::BatchNorm2d bn2;
    torch::nn::Conv2d shortcutConv{nullptr};
    torch::nn::BatchNorm2d shortcutBn{nullptr};
    int conv1Index = 0, conv2Index = 0, shortcutIndex = -1;
};

class Resnet20 final : public torch::nn::Module, public ZooBackend {
public:
    explicit Resnet20(const ModelSpec& spec) :
        ZooBackend(spec), conv1_(register_module("conv1", conv3x3(spec.channels, 16, 1))),
        bn1_(register_module("bn1", torch::nn::BatchNorm2d(16)))
    {
        quantLayers_.add("conv1", *conv1_);
        int in = 16;
        const int widths[] = {16, 32, 64};
        for (int stage = 0; stage < 3; ++stage) {
            const std::string stageName = "layer" + std::to_string(stage + 1);
            auto list = register_module(stageName, torch::nn::ModuleList());
            for (int b = 0; b < 3; ++b) {
                auto block = std::make_shared<BasicBlock>(in, widths[stage], b == 0 && stage > 0 ? 2 : 1);
                list->push_back(block);
                block->registerLayers(quantLayers_, stageName + "." + std::to_string(b));
                blocks_.push_back(block);
                in = widths[stage];
            }
        }
        fc_ = register_module("fc", torch::nn::Linear(in, spec.classes));
        fcIndex_ = quantLayers_.add("fc", *fc_);
    }

    at::Tensor forward(const at::Tensor& input) override
    {
        torch::Tensor x = torch::relu(bn1_(quantLayers_.conv2d(0, input)));
        for (auto& block : blocks_)
            x = block->forward(quantLayers_, x);
        x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
        return quantLayers_.linear(fcIndex_, x);
    }

    torch::nn::Module& module() override { return *this; }

    InferenceGraph inferenceGraph() const override
    {
        GraphBuilder g;
        std::string x = g.convBnRelu(0, "conv1", *conv1_, "bn1", *bn1_, g.input());
        for (size_t i = 0; i < blocks_.size(); ++i) {
            const BasicBlock& b = *blocks_[i];
            const std::string p = "layer" + std::to_string(i / 3 + 1) + "." + std::to_string(i % 3) + ".";
            std::string out = g.convBnRelu(b.conv1Index, p + "conv1", *b.conv1, p + "bn1", *b.bn1, x);
            out = g.batchNorm(p + "bn2", *b.bn2, g.conv(b.conv2Index, p + "conv2", *b.conv2, out));
            const std::string shortcut = b.shortcutConv
                ? g.batchNorm(p + "shortcut.1", *b.shortcutBn,
                              g.conv(b.shortcutIndex, p + "shortcut.0", *b.shortcutConv, x))
                : x;
            x = g.relu(g.add(out, shortcut));
        }
        return g.finish(g.linear(fcIndex_, "fc", *fc_, g.globalAveragePool(x)));
    }

private:
    torch::nn::Conv2d conv1_;
    torch::nn::BatchNorm2d bn1_;
    std::vector<std::shared_ptr<BasicBlock>> blocks_;
    torch::nn::Linear fc_{nullptr};
    int fcIndex_ = 0;
};

} // namespace

std::shared_ptr<NetworkBackend> makeResnet20(const ModelSpec& spec)
{
    return std::make_shared<Resnet20>(spec);
}

} // namespace quantscope
