#include "export/aimet_encodings.h"

#include "common/error.h"
#include "model/network_backend.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

namespace quantscope {
namespace {

nlohmann::ordered_json encoding(int bits, double scale, int64_t offset, bool symmetric)
{
    const double qmin = double(offset);
    const double qmax = symmetric ? std::ldexp(1.0, bits - 1) - 1 : std::ldexp(1.0, bits) - 1 + double(offset);
    return {{"bitwidth", bits},      {"dtype", "int"},       {"is_symmetric", symmetric ? "True" : "False"},
            {"min", scale * qmin},   {"max", scale * qmax},  {"offset", offset},
            {"scale", scale}};
}

} // namespace

std::string aimetEncodingsJson(const Network& network, const BitConfig& bits, const QuantSettings& settings,
                               const ImageSet& calibrationSet)
{
    if (settings.quantizer != QuantizerKind::Uniform)
        throw ConfigError("AIMET encodings describe uniform scale/offset quantization: choose the uniform quantizer "
                          "(DSConv's per-block scales and block-floating-point activations have no such form)");
    Network copy = network.clone();
    applyQuantization(copy, bits, settings, calibrationSet);
    const std::vector<ActivationRange> ranges = copy.backend().quantLayers().activationRanges();

    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    nlohmann::ordered_json activations = nlohmann::ordered_json::object();
    for (size_t i = 0; i < copy.layers().size(); ++i) {
        const LayerInfo& layer = copy.layers()[i];
        const LayerBits& b = bits[i];
        if (b.weight > 1) {
            // Symmetric per output channel, as UniformQuantizer: scale = max|w| / (2^(b-1) - 1).
            const torch::Tensor rows =
                copy.backend().quantLayers().weight(int(i)).detach().reshape({layer.outputChannels(), -1});
            const torch::Tensor maxAbs = rows.abs().amax(1).clamp_min(1e-12);
            const double qmax = std::ldexp(1.0, b.weight - 1) - 1;
            nlohmann::ordered_json channels = nlohmann::ordered_json::array();
            for (int64_t c = 0; c < maxAbs.size(0); ++c)
                channels.push_back(encoding(b.weight, maxAbs[c].item<double>() / qmax, -int64_t(qmax) - 1, true));
            params[layer.name + ".weight"] = channels;
        }
        const bool imageInput = layer.takesImage && !settings.policy.quantizeImageInput;
        if (b.activation > 0 && !imageInput && ranges[i].valid()) {
            const ActivationRange& r = ranges[i];
            const double levels = r.nonNegative ? std::ldexp(1.0, b.activation) - 1 : std::max(1.0, std::ldexp(1.0, b.activation - 1) - 1);
            const double scale = double(r.maxAbs) / levels;
            activations[layer.name + ".input"] =
                nlohmann::ordered_json::array({encoding(b.activation, scale, r.nonNegative ? 0 : -int64_t(levels) - 1,
                                                        !r.nonNegative)});
        }
    }
    return nlohmann::ordered_json{{"version", "0.6.1"},
                                  {"activation_encodings", activations},
                                  {"param_encodings", params},
                                  {"excluded_layers", nlohmann::ordered_json::array()}}
        .dump(2);
}

} // namespace quantscope
