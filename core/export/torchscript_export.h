#pragma once

#include "data/image_set.h"
#include "model/network.h"
#include "quant/bit_config.h"
#include "train/quantized_evaluation.h"

#include <string>

namespace quantscope {

/// Writes the network quantized to `bits` as a TorchScript file PyTorch loads with
/// `torch.jit.load`: fake-quantized weights baked in, each layer's input activation quantized
/// in the graph exactly as Quantscope simulates it (block floating point for DSConv; calibrated
/// per-tensor scales, from `calibrationSet`, for the uniform quantizer), normalisation inside.
/// Input: float images N x C x H x W with pixels scaled to [0, 1]; output: logits.
/// ConfigError for architectures without a TorchScript form; ModelError when the file cannot
/// be written.
/// `provenance` (JSON, optional): what the file holds, stored as its extra file "quantscope.json"
/// (`torch.jit.load(path, _extra_files={"quantscope.json": ""})`).
void exportTorchScript(const Network& network, const BitConfig& bits, const QuantSettings& settings,
                       const ImageSet& calibrationSet, const std::string& path, const std::string& provenance = {});

} // namespace quantscope
