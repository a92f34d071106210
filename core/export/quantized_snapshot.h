#pragma once

#include "data/image_set.h"
#include "model/inference_graph.h"
#include "model/network.h"
#include "quant/bit_config.h"
#include "train/quantized_evaluation.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace quantscope {

/// A network quantized to one configuration, as the exporters see it: a calibrated quantized copy,
/// its inference graph, and per layer the bits of its weight and of the activation entering it.
class QuantizedSnapshot {
public:
    /// `needsGraph`: whether the exporter writes the network from its inference graph (ConfigError
    /// before any work when an imported network has none). A `network` already quantized
    /// to `bits` (a trial's fine-tuned copy, quantizeAndFineTune) keeps its calibrated ranges.
    QuantizedSnapshot(const Network& network, const BitConfig& bits, const QuantSettings& settings,
                      const ImageSet& calibrationSet, bool needsGraph = true);

    const Network& network() const { return quantized_; }
    const InferenceGraph& graph() const { return graph_; }
    const QuantSettings& settings() const { return settings_; }
    int weightBits(int layer) const;
    /// Bits of the activation entering `layer`; 0 when it stays float (a float layer, or the image
    /// input when the policy leaves it unquantized).
    int inputBits(int layer) const;
    const ActivationRange& inputRange(int layer) const;
    /// The learned quantizer of the activation entering `layer` (QN); nullopt when there is none
    /// or the input stays float.
    std::optional<LearnedStaircase> inputStaircase(int layer) const;
    /// Every parameter and buffer by qualified name, with the quantizable layers' weights replaced by
    /// their quantized values (FP32 tensors on the CPU).
    void forEachTensor(const std::function<void(const std::string& name, const at::Tensor& value)>& visit) const;

private:
    Network quantized_;
    BitConfig bits_;
    QuantSettings settings_;
    InferenceGraph graph_;
    std::vector<ActivationRange> ranges_;
};

} // namespace quantscope
