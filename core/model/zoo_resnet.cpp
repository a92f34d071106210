// ResNet-20 for CIFAR (He et al., CVPR 2016, section 4.2): a 3x3 conv of 16 channels, three stages
// of three basic blocks (16, 32, 64 channels; the second and third stage start with stride 2),
// global average pooling and a linear classifier. Down-sampling shortcuts are 1x1 conv + BN
// (option B), as in NUQ's code, so they are quantizable layers too.
#include "model/network_backend.h"
#include "model/zoo.h"

#include <torch/torch.h>

#include <sstream>

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
        bn1(register_module("bn1", torch::nn::BatchNorm2d(out))),
        conv2(register_module("conv2", conv3x3(out, out, 1))),
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

class Resnet20 final : public torch::nn::Module, public NetworkBackend {
public:
    explicit Resnet20(const ModelSpec& spec) :
        conv1_(register_module("conv1", conv3x3(spec.channels, 16, 1))),
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

    std::string torchScriptForward(
        const std::function<std::string(int layer, const std::string& input)>& quantizeInput) const override
    {
        std::ostringstream out;
        auto convBn = [&](int layer, const std::string& input, const std::string& conv, const std::string& bn,
                          const torch::nn::Conv2dImpl& c, double eps) {
            const auto stride = c.options.stride()->at(0);
            const auto padding = c10::get<torch::ExpandingArray<2>>(c.options.padding())->at(0);
            std::ostringstream e;
            e << "torch.batch_norm(torch.conv2d(" << quantizeInput(layer, input) << ", self." << conv
              << "_weight, None, [" << stride << ", " << stride << "], [" << padding << ", " << padding
              << "], [1, 1], 1), self." << bn << "_weight, self." << bn << "_bias, self." << bn << "_running_mean, self."
              << bn << "_running_var, False, 0.0, " << eps << ", False)";
            return e.str();
        };
        out << "    x = torch.relu(" << convBn(0, "x", "conv1", "bn1", *conv1_, bn1_->options.eps()) << ")\n";
        for (size_t i = 0; i < blocks_.size(); ++i) {
            const BasicBlock& b = *blocks_[i];
            const std::string p = "layer" + std::to_string(i / 3 + 1) + "_" + std::to_string(i % 3) + "_";
            out << "    out = torch.relu(" << convBn(b.conv1Index, "x", p + "conv1", p + "bn1", *b.conv1, b.bn1->options.eps())
                << ")\n"
                << "    out = " << convBn(b.conv2Index, "out", p + "conv2", p + "bn2", *b.conv2, b.bn2->options.eps())
                << "\n";
            if (b.shortcutConv)
                out << "    x = torch.relu(out + "
                    << convBn(b.shortcutIndex, "x", p + "shortcut_0", p + "shortcut_1", *b.shortcutConv,
                              b.shortcutBn->options.eps())
                    << ")\n";
            else
                out << "    x = torch.relu(out + x)\n";
        }
        out << "    x = torch.adaptive_avg_pool2d(x, [1, 1]).flatten(1)\n"
            << "    return torch.linear(" << quantizeInput(fcIndex_, "x") << ", self.fc_weight, self.fc_bias)\n";
        return out.str();
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
