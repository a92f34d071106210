#include "export/aimet_encodings.h"

#include "common/error.h"
#include "export/quantized_snapshot.h"
#include "model/network_backend.h"
#include "quant/uniform_quantizer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

namespace quantscope {
namespace {

nlohmann::ordered_json encoding(int bits, double scale, int64_t offset, bool symmetric)
{
    const double qmin = double(offset);
    const double qmax = symmetric ? std::ldexp(1.0, bits - 1) - 1 : std::ldexp(1.0, bits) - 1 + double(offset);
    return {{"bitwidth", bits},    {"dtype", "int"},      {"is_symmetric", symmetric ? "True" : "False"},
            {"min", scale * qmin}, {"max", scale * qmax}, {"offset", offset},
            {"scale", scale}};
}

} // namespace

void requireAimetQuantizer(const QuantSettings& settings)
{
    if (const std::string obstacle = scaleOffsetObstacle(settings.quantizer); !obstacle.empty())
        throw ConfigError("AIMET encodings describe uniform scale/offset quantization: choose the uniform quantizer ("
                          + obstacle + ")");
}

std::string aimetEncodingsJson(const Network& network, const BitConfig& bits, const QuantSettings& settings,
                               const ImageSet& calibrationSet)
{
    requireAimetQuantizer(settings);
    const QuantizedSnapshot snapshot(network, bits, settings, calibrationSet);
    const QuantizableLayers& layers = snapshot.network().backend().quantLayers();
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    nlohmann::ordered_json activations = nlohmann::ordered_json::object();
    for (int i = 0; i < int(layers.size()); ++i) {
        const std::string& name = snapshot.network().layers()[size_t(i)].name;
        const int weightBits = snapshot.weightBits(i);
        if (weightBits > 1) { // binary weights (mean |w| per channel) have no scale/offset form
            torch::Tensor integers, scales;
            uniformIntegerWeight(layers.weight(i).detach(), weightBits, integers, scales);
            const double qmax = std::ldexp(1.0, weightBits - 1) - 1;
            nlohmann::ordered_json channels = nlohmann::ordered_json::array();
            for (int64_t c = 0; c < scales.size(0); ++c)
                channels.push_back(encoding(weightBits, scales[c].item<double>(), -int64_t(qmax) - 1, true));
            params[name + ".weight"] = channels;
        }
        const int inputBits = snapshot.inputBits(i);
        const ActivationRange& range = snapshot.inputRange(i);
        if (inputBits > 0 && range.valid()) {
            const UniformGrid grid = uniformActivationGrid(inputBits, range);
            activations[name + ".input"] = nlohmann::ordered_json::array(
                {encoding(inputBits, grid.scale, range.nonNegative ? 0 : -int64_t(grid.hi) - 1, !range.nonNegative)});
        }
    }
    return nlohmann::ordered_json{{"version", "0.6.1"},
                                  {"activation_encodings", activations},
                                  {"param_encodings", params},
                                  {"excluded_layers", nlohmann::ordered_json::array()}}
        .dump(2);
}

} // namespace quantscope
