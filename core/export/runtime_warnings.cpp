#include "export/runtime_warnings.h"

#include <map>
#include <utility>

namespace quantscope {

std::vector<std::string> onnxRuntimeWarnings(const std::vector<LayerInfo>& layers, const BitConfig& bits,
                                             const std::string& quantizer)
{
    std::vector<std::string> warnings;
    if (quantizer == "dsconv")
        warnings.push_back("quantizer dsconv: its per-block weight scales and block-floating-point activations have "
                           "no ONNX QDQ form; integer runtimes execute the uniform quantizer's layers only");
    // One warning per kind (width and tensors), listing its layers in network order.
    std::map<std::pair<int, std::string>, std::string> layersOf;
    std::vector<std::pair<int, std::string>> kinds;
    auto note = [&](int value, const std::string& what, const std::string& layer) {
        if (value == 0 || value == 8)
            return;
        std::string& list = layersOf[{value, what}];
        if (list.empty())
            kinds.emplace_back(value, what);
        list += (list.empty() ? "" : ", ") + layer;
    };
    for (size_t i = 0; i < layers.size() && i < bits.size(); ++i) {
        const LayerBits& b = bits[i];
        if (b.coupled()) {
            note(b.weight, "weights and activations", layers[i].name);
            continue;
        }
        note(b.weight, "weights", layers[i].name);
        note(b.activation, "activations", layers[i].name);
    }
    for (const auto& [value, what] : kinds) {
        const std::string& list = layersOf[{value, what}];
        const std::string where = (list.find(',') == std::string::npos ? "layer " : "layers ") + list;
        if (value == 4)
            warnings.push_back(where + ": 4-bit " + what
                               + " go into int8 QDQ containers (int4 QDQ needs ONNX opset 21; Debian's ONNX 1.12 "
                                 "stops at 17): exact values, int8 storage and arithmetic");
        else
            warnings.push_back(where + ": " + std::to_string(value) + "-bit " + what
                               + " are simulated only (integer runtimes execute int8 and int4; ONNX QDQ carries the "
                                 "exact values in int8)");
    }
    return warnings;
}

} // namespace quantscope
