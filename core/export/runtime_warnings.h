#pragma once

#include "common/layer_info.h"
#include "quant/bit_config.h"

#include <string>
#include <vector>

namespace quantscope {

/// Layers whose bits a runtime cannot execute natively: integer runtimes execute int8 and (ONNX
/// opset 21 and later) int4; Quantscope's ONNX export (opset 13, Debian's ONNX 1.12) carries every
/// width's exact values in int8 containers; other widths, and DSConv's block scales, are simulated
/// only. One line per kind of problem (a width of weights, activations or both), naming its layers.
std::vector<std::string> onnxRuntimeWarnings(const std::vector<LayerInfo>& layers, const BitConfig& bits,
                                             const std::string& quantizer);

} // namespace quantscope
