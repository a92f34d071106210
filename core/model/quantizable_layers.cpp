#include "model/quantizable_layers.h"

#include "common/error.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <optional>

namespace quantscope {

struct QuantizableLayers::Impl {
    struct Layer {
        std::string name;
        LayerKind kind;
        torch::nn::Conv2dImpl* conv = nullptr;
        torch::nn::LinearImpl* linear = nullptr;
        std::optional<torch::jit::Module> scripted;
        int64_t groups = 1;          // scripted convs: from the input's channels
        int64_t firstUse = -1;       // order of the first forward call since the last reorder
        int64_t outputPositions = 0; // recorded by the first forward pass
        bool takesImage = false;
        ActivationRange range;
        std::unique_ptr<LearnedLayerQuantizer> learned; // the quantizer's learned parameters, if any
        // Inference cache of the quantized weight, valid for one FP32 weight version.
        torch::Tensor cachedWeight;
        const void* cachedData = nullptr;
        uint32_t cachedVersion = 0;
        int cachedBits = 0;
    };

    std::vector<Layer> layers;
    std::shared_ptr<const Quantizer> quantizer;
    std::vector<LayerBits> bits;
    bool quantizeImageInput = false;
    bool calibrating = false;
    torch::Tensor imageInput; // set only during the inventory pass

    /// Whether a layer's input is the image: the network input itself, or a per-channel affine
    /// function of it (normalisation inside `forward`: (x - mean) / std, x * 255, ...), found by
    /// fitting y = a x + b per channel to the inventory's probe.
    bool readsImage(const torch::Tensor& input) const
    {
        if (!imageInput.defined())
            return false;
        if (input.data_ptr() == imageInput.data_ptr())
            return true;
        if (input.sizes() != imageInput.sizes() || input.dim() < 2)
            return false;
        torch::NoGradGuard noGrad;
        const int64_t channels = input.size(1);
        const torch::Tensor x = imageInput.transpose(0, 1).reshape({channels, -1}).to(torch::kFloat64);
        const torch::Tensor y = input.detach().transpose(0, 1).reshape({channels, -1}).to(torch::kFloat64);
        const torch::Tensor dx = x - x.mean(1, true);
        const torch::Tensor dy = y - y.mean(1, true);
        const torch::Tensor slope = (dx * dy).sum(1, true) / (dx * dx).sum(1, true).clamp_min(1e-300);
        const double residual = (dy - slope * dx).abs().max().item<double>();
        const double scale = dy.abs().max().item<double>();
        return slope.abs().min().item<double>() > 0 && residual <= 1e-5 * scale;
    }

    int64_t calls = 0;

    torch::Tensor weightOf(const Layer& layer) const
    {
        if (layer.scripted)
            return layer.scripted->attr("weight").toTensor();
        return layer.conv ? layer.conv->weight : layer.linear->weight;
    }

    torch::Tensor biasOf(const Layer& layer) const
    {
        if (layer.scripted) {
            const c10::IValue bias = layer.scripted->attr("bias", c10::IValue());
            return bias.isTensor() ? bias.toTensor() : torch::Tensor();
        }
        return layer.conv ? layer.conv->bias : layer.linear->bias;
    }

    torch::Tensor quantizedWeight(Layer& layer, int bitsValue)
    {
        const torch::Tensor w = weightOf(layer);
        if (torch::GradMode::is_enabled() && w.requires_grad()) {
            // Training: an optimizer step follows and changes w through `.data()`, which the
            // version counter below does not see; the next inference must quantize afresh.
            layer.cachedWeight = torch::Tensor();
            // Straight-through estimator: the forward value is Q(w), the gradient flows to w.
            const torch::Tensor q = quantizer->quantizeWeight(w.detach(), bitsValue);
            return (q - w.detach()) + w;
        }
        const uint32_t version = w._version();
        if (!layer.cachedWeight.defined() || layer.cachedData != w.data_ptr() || layer.cachedVersion != version
            || layer.cachedBits != bitsValue) {
            layer.cachedWeight = quantizer->quantizeWeight(w.detach(), bitsValue);
            layer.cachedData = w.data_ptr();
            layer.cachedVersion = version;
            layer.cachedBits = bitsValue;
        }
        return layer.cachedWeight;
    }

    torch::Tensor prepareInput(Layer& layer, const torch::Tensor& input)
    {
        if (layer.firstUse < 0)
            layer.firstUse = calls++;
        if (!layer.takesImage && readsImage(input))
            layer.takesImage = true;
        if (calibrating) {
            torch::NoGradGuard noGrad;
            layer.range.maxAbs = std::max(layer.range.maxAbs, input.abs().max().item<float>());
            layer.range.nonNegative = layer.range.nonNegative && input.min().item<float>() >= 0.0f;
            layer.range.sumSquares += input.to(torch::kFloat64).square().sum().item<double>();
            layer.range.count += double(input.numel());
            layer.range.positiveCount += (input > 0).sum().item<double>();
            return input;
        }
        if (!quantizer)
            return input;
        const int activationBits = bits[size_t(&layer - layers.data())].activation;
        if (activationBits == 0 || (layer.takesImage && !quantizeImageInput))
            return input;
        if (layer.learned)
            return layer.learned->activation(input, torch::GradMode::is_enabled());
        const torch::Tensor q = quantizer->quantizeActivation(input.detach(), activationBits, layer.range);
        if (!torch::GradMode::is_enabled() || !input.requires_grad())
            return q;
        // Straight-through: the forward value is q; the gradient is the quantizer's mask (HWGQ's
        // clipped ReLU) or 1.
        const torch::Tensor mask = quantizer->activationGradientMask(input.detach(), activationBits, layer.range);
        const torch::Tensor through = mask.defined() ? input * mask : input;
        return (q - through.detach()) + through;
    }

    torch::Tensor effectiveWeight(Layer& layer)
    {
        if (!quantizer || calibrating)
            return weightOf(layer);
        const int weightBits = bits[size_t(&layer - layers.data())].weight;
        if (weightBits != 0 && layer.learned)
            return layer.learned->weight(weightOf(layer), torch::GradMode::is_enabled());
        return weightBits == 0 ? weightOf(layer) : quantizedWeight(layer, weightBits);
    }
};

QuantizableLayers::QuantizableLayers() : impl_(std::make_unique<Impl>())
{
}
QuantizableLayers::~QuantizableLayers() = default;

int QuantizableLayers::add(const std::string& name, torch::nn::Conv2dImpl& conv)
{
    Impl::Layer layer;
    layer.name = name;
    layer.kind = LayerKind::Conv2d;
    layer.conv = &conv;
    impl_->layers.push_back(std::move(layer));
    return int(impl_->layers.size() - 1);
}

int QuantizableLayers::add(const std::string& name, torch::nn::LinearImpl& linear)
{
    Impl::Layer layer;
    layer.name = name;
    layer.kind = LayerKind::Linear;
    layer.linear = &linear;
    impl_->layers.push_back(std::move(layer));
    return int(impl_->layers.size() - 1);
}

at::Tensor QuantizableLayers::conv2d(int index, const at::Tensor& input)
{
    Impl::Layer& layer = impl_->layers.at(size_t(index));
    const torch::Tensor x = impl_->prepareInput(layer, input);
    const auto& options = layer.conv->options;
    if (!c10::get_if<torch::enumtype::kZeros>(&options.padding_mode()))
        throw ModelError("layer " + layer.name + ": only zero padding is supported");
    torch::Tensor out =
        torch::nn::functional::detail::conv2d(x, impl_->effectiveWeight(layer), layer.conv->bias, options.stride(),
                                              options.padding(), options.dilation(), options.groups());
    if (layer.outputPositions == 0)
        layer.outputPositions = out.size(2) * out.size(3);
    return out;
}

int QuantizableLayers::add(const std::string& name, LayerKind kind, const torch::jit::Module& module)
{
    Impl::Layer layer;
    layer.name = name;
    layer.kind = kind;
    layer.scripted = module;
    impl_->layers.push_back(std::move(layer));
    return int(impl_->layers.size() - 1);
}

at::Tensor QuantizableLayers::hookInput(int index, const at::Tensor& input)
{
    Impl::Layer& layer = impl_->layers.at(size_t(index));
    if (layer.kind == LayerKind::Conv2d && input.dim() == 4) {
        const int64_t perGroup = impl_->weightOf(layer).size(1);
        layer.groups = perGroup > 0 ? std::max<int64_t>(1, input.size(1) / perGroup) : 1;
    }
    return impl_->prepareInput(layer, input);
}

at::Tensor QuantizableLayers::hookWeight(int index, const at::Tensor& weight)
{
    Impl::Layer& layer = impl_->layers.at(size_t(index));
    if (!impl_->quantizer || impl_->calibrating)
        return weight;
    return impl_->effectiveWeight(layer);
}

at::Tensor QuantizableLayers::hookOutput(int index, const at::Tensor& output)
{
    Impl::Layer& layer = impl_->layers.at(size_t(index));
    if (layer.outputPositions == 0)
        layer.outputPositions = output.dim() == 4 ? output.size(2) * output.size(3) : 1;
    return output;
}

std::vector<int> QuantizableLayers::reorderByFirstUse()
{
    std::vector<int> order;
    for (size_t i = 0; i < impl_->layers.size(); ++i)
        if (impl_->layers[i].firstUse >= 0)
            order.push_back(int(i));
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return impl_->layers[size_t(a)].firstUse < impl_->layers[size_t(b)].firstUse;
    });
    std::vector<int> newIndex(impl_->layers.size(), -1);
    std::vector<Impl::Layer> kept;
    for (int old : order) {
        newIndex[size_t(old)] = int(kept.size());
        kept.push_back(std::move(impl_->layers[size_t(old)]));
        kept.back().firstUse = -1;
    }
    impl_->layers = std::move(kept);
    impl_->calls = 0;
    return newIndex;
}

at::Tensor QuantizableLayers::linear(int index, const at::Tensor& input)
{
    Impl::Layer& layer = impl_->layers.at(size_t(index));
    const torch::Tensor x = impl_->prepareInput(layer, input);
    layer.outputPositions = 1;
    return torch::linear(x, impl_->effectiveWeight(layer), layer.linear->bias);
}

size_t QuantizableLayers::size() const
{
    return impl_->layers.size();
}

at::Tensor QuantizableLayers::weight(int index) const
{
    return impl_->weightOf(impl_->layers.at(size_t(index)));
}

std::vector<std::string> QuantizableLayers::names() const
{
    std::vector<std::string> out;
    for (const auto& layer : impl_->layers)
        out.push_back(layer.name);
    return out;
}

std::vector<LayerInfo> QuantizableLayers::inventory() const
{
    std::vector<LayerInfo> out;
    for (const auto& layer : impl_->layers) {
        LayerInfo info;
        info.name = layer.name;
        info.kind = layer.kind;
        const torch::Tensor w = impl_->weightOf(layer);
        info.weightShape = w.sizes().vec();
        info.weightCount = w.numel();
        const torch::Tensor bias = impl_->biasOf(layer);
        info.biasCount = bias.defined() ? bias.numel() : 0;
        info.groups = layer.conv ? layer.conv->options.groups() : layer.groups;
        info.outputPositions = std::max<int64_t>(layer.outputPositions, 1);
        info.macs = info.weightCount * info.outputPositions; // each weight used once per output position
        info.takesImage = layer.takesImage;
        out.push_back(std::move(info));
    }
    return out;
}

void QuantizableLayers::setQuantization(std::shared_ptr<const Quantizer> quantizer, std::vector<LayerBits> bits,
                                        bool quantizeImageInput)
{
    if (bits.size() != impl_->layers.size())
        throw ConfigError("bit configuration has " + std::to_string(bits.size()) + " entries but the network has "
                          + std::to_string(impl_->layers.size()) + " quantizable layers");
    impl_->quantizer = std::move(quantizer);
    impl_->bits = std::move(bits);
    impl_->quantizeImageInput = quantizeImageInput;
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < impl_->layers.size(); ++i) {
        Impl::Layer& layer = impl_->layers[i];
        layer.learned = impl_->quantizer->learnedLayer(impl_->weightOf(layer), impl_->bits[i], layer.range);
    }
}

void QuantizableLayers::clearQuantization()
{
    impl_->quantizer.reset();
    impl_->bits.clear();
    for (auto& layer : impl_->layers)
        layer.learned.reset();
}

std::vector<at::Tensor> QuantizableLayers::quantizerParameters() const
{
    std::vector<at::Tensor> out;
    for (const auto& layer : impl_->layers)
        if (layer.learned)
            for (const torch::Tensor& t : layer.learned->parameters())
                out.push_back(t);
    return out;
}

void QuantizableLayers::copyLearnedQuantizers(const QuantizableLayers& other)
{
    if (other.impl_->layers.size() != impl_->layers.size())
        throw ConfigError("copying learned quantizers between networks with different layers");
    for (size_t i = 0; i < impl_->layers.size(); ++i) {
        const auto& from = other.impl_->layers[i].learned;
        impl_->layers[i].learned = from ? from->clone() : nullptr;
    }
}

at::Tensor QuantizableLayers::inferenceWeight(int index)
{
    torch::NoGradGuard noGrad;
    return impl_->effectiveWeight(impl_->layers.at(size_t(index))).detach();
}

std::optional<LearnedStaircase> QuantizableLayers::learnedInputStaircase(int index) const
{
    const auto& learned = impl_->layers.at(size_t(index)).learned;
    return learned ? learned->inputStaircase() : std::nullopt;
}

void QuantizableLayers::setTrainingEpochs(double epochs)
{
    for (auto& layer : impl_->layers)
        if (layer.learned)
            layer.learned->setTrainingEpochs(epochs);
}

bool QuantizableLayers::quantized() const
{
    return impl_->quantizer != nullptr;
}
const std::vector<LayerBits>& QuantizableLayers::bits() const
{
    return impl_->bits;
}

void QuantizableLayers::setCalibrating(bool on)
{
    if (on) {
        for (auto& layer : impl_->layers)
            layer.range = ActivationRange{};
    }
    impl_->calibrating = on;
}

std::vector<ActivationRange> QuantizableLayers::activationRanges() const
{
    std::vector<ActivationRange> out;
    for (const auto& layer : impl_->layers)
        out.push_back(layer.range);
    return out;
}

void QuantizableLayers::setActivationRanges(std::vector<ActivationRange> ranges)
{
    for (size_t i = 0; i < ranges.size() && i < impl_->layers.size(); ++i)
        impl_->layers[i].range = ranges[i];
}

void QuantizableLayers::markImageInput(const at::Tensor& networkInput)
{
    impl_->imageInput = networkInput;
}

} // namespace quantscope
