#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace quantscope {

enum class LayerKind { Conv2d, Linear };

std::string layerKindName(LayerKind kind); ///< "conv2d" or "linear"

/// One quantizable layer of a network, as the inventory reports it.
struct LayerInfo {
    std::string name; ///< qualified module name, as PyTorch's named_modules() gives it
    LayerKind kind = LayerKind::Conv2d;
    std::vector<int64_t> weightShape; ///< conv: out, in/groups, kh, kw; linear: out, in
    int64_t groups = 1;
    int64_t weightCount = 0;     ///< elements of the weight tensor
    int64_t biasCount = 0;       ///< elements of the bias (0 without bias)
    int64_t outputPositions = 1; ///< spatial positions of one output map (1 for linear)
    int64_t macs = 0;            ///< multiply-accumulates for one input image
    bool takesImage = false;     ///< its input is the network's (normalised) input image

    int64_t parameterCount() const { return weightCount + biasCount; }
    int64_t inputChannelsPerGroup() const { return weightShape.size() > 1 ? weightShape[1] : 0; }
    int64_t outputChannels() const { return weightShape.empty() ? 0 : weightShape[0]; }
    int64_t kernelArea() const { return weightShape.size() == 4 ? weightShape[2] * weightShape[3] : 1; }
};

} // namespace quantscope
