#include "export/quantized_snapshot.h"

#include "common/error.h"
#include "model/network_backend.h"

#include <torch/torch.h>

namespace quantscope {

QuantizedSnapshot::QuantizedSnapshot(const Network& network, const BitConfig& bits, const QuantSettings& settings,
                                     const ImageSet& calibrationSet, bool needsGraph) :
    quantized_(network.clone()),
    bits_(bits), settings_(settings)
{
    if (needsGraph)
        graph_ = quantized_.backend().inferenceGraph(); // before the calibration work: ConfigError early
    quantized_.toDevice("cpu");
    QuantizableLayers& layers = quantized_.backend().quantLayers();
    if (network.backend().quantLayers().quantized()) {
        // A trial's quantized (and fine-tuned) network: keep the activation ranges it was scored
        // with (clone() copies them, not the quantizer).
        if (network.backend().quantLayers().bits() != bits.layers())
            throw ConfigError("the network to export is quantized to other bits than " + bits.toString());
        layers.setQuantization(makeQuantizer(settings.quantizer), bits.layers(), settings.policy.quantizeImageInput);
        layers.copyLearnedQuantizers(network.backend().quantLayers()); // QN's trained scales
    } else {
        applyQuantization(quantized_, bits, settings, calibrationSet);
    }
    ranges_ = quantized_.backend().quantLayers().activationRanges();
}

int QuantizedSnapshot::weightBits(int layer) const
{
    return bits_[size_t(layer)].weight;
}

int QuantizedSnapshot::inputBits(int layer) const
{
    const bool imageInput = quantized_.layers()[size_t(layer)].takesImage && !settings_.policy.quantizeImageInput;
    return imageInput ? 0 : bits_[size_t(layer)].activation;
}

const ActivationRange& QuantizedSnapshot::inputRange(int layer) const
{
    return ranges_[size_t(layer)];
}

std::optional<LearnedStaircase> QuantizedSnapshot::inputStaircase(int layer) const
{
    if (inputBits(layer) == 0)
        return std::nullopt;
    return quantized_.backend().quantLayers().learnedInputStaircase(layer);
}

void QuantizedSnapshot::forEachTensor(
    const std::function<void(const std::string& name, const at::Tensor& value)>& visit) const
{
    torch::NoGradGuard noGrad;
    QuantizableLayers& layers = quantized_.backend().quantLayers();
    std::map<std::string, torch::Tensor> baked;
    for (size_t i = 0; i < layers.size(); ++i)
        if (weightBits(int(i)) > 0)
            baked[layers.names()[i] + ".weight"] = layers.inferenceWeight(int(i));
    for (const auto& [name, value] : quantized_.backend().namedTensors()) {
        const auto found = baked.find(name);
        visit(name, (found != baked.end() ? found->second : value.detach()).cpu().contiguous());
    }
}

} // namespace quantscope
