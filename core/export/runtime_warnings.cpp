#include "export/runtime_warnings.h"

namespace quantscope {

std::vector<std::string> onnxRuntimeWarnings(const std::vector<LayerInfo>& layers, const BitConfig& bits,
                                             const std::string& quantizer)
{
    std::vector<std::string> warnings;
    if (quantizer == "dsconv")
        warnings.push_back("quantizer dsconv: its per-block weight scales and block-floating-point activations have "
                           "no ONNX QDQ form; integer runtimes execute the uniform quantizer's layers only");
    for (size_t i = 0; i < layers.size() && i < bits.size(); ++i) {
        const LayerBits& b = bits[i];
        auto warn = [&](int value, const std::string& what) {
            if (value == 0 || value == 8)
                return;
            if (value == 4)
                warnings.push_back("layer " + layers[i].name + ": 4-bit " + what
                                   + " go into int8 QDQ containers (int4 QDQ needs ONNX opset 21; Debian's ONNX 1.12 "
                                     "stops at 17): exact values, int8 storage and arithmetic");
            else
                warnings.push_back("layer " + layers[i].name + ": " + std::to_string(value) + "-bit " + what
                                   + " simulated only (integer runtimes execute int8 and int4; ONNX QDQ carries the "
                                     "exact values in int8)");
        };
        if (b.coupled()) {
            warn(b.weight, b.weight == 4 ? "weights and activations" : "weights and activations are");
            continue;
        }
        warn(b.weight, b.weight == 4 ? "weights" : "weights are");
        warn(b.activation, b.activation == 4 ? "activations" : "activations are");
    }
    return warnings;
}

} // namespace quantscope
