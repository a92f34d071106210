#pragma once

#include "data/image_set.h"
#include "model/network.h"
#include "quant/bit_config.h"
#include "train/quantized_evaluation.h"

#include <string>

namespace quantscope {

/// The ONNX opset the export writes: per-axis QuantizeLinear/DequantizeLinear need 13; Debian's
/// ONNX 1.12 knows up to 17 and no int4 type (opset 21), so every width is carried in int8/uint8.
constexpr int kOnnxOpset = 13;

/// ConfigError unless `settings` use the uniform quantizer, the only one with a QDQ form.
void requireOnnxQuantizer(const QuantSettings& settings);

/// Writes the network quantized to `bits` under the uniform quantizer as an ONNX model in QDQ form:
/// each quantized weight as an int8 initializer holding its integers with per-output-channel
/// scales and a DequantizeLinear (axis 0); each quantized layer input through Clip (widths below 8),
/// QuantizeLinear and DequantizeLinear with the calibrated per-tensor scale (uint8 after ReLU, int8
/// when signed). Input "image": float N x C x H x W, pixels in [0, 1] (normalisation inside);
/// output "logits". The model passes onnx::checker before it is written. `provenance` (JSON,
/// optional): what the file holds, as the model's metadata property "quantscope".
/// ConfigError for the DSConv quantizer (no QDQ form) and imported networks with an operator the
/// translation does not cover (model/torchscript_graph.h); ModelError when the file cannot be written.
void exportOnnx(const Network& network, const BitConfig& bits, const QuantSettings& settings,
                const ImageSet& calibrationSet, const std::string& path, const std::string& provenance = {});

} // namespace quantscope
