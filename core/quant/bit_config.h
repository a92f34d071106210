#pragma once

#include "quant/layer_bits.h"

#include <optional>
#include <string>
#include <vector>

namespace quantscope {

/// How layers at the ends of the network are treated.
struct LayerPolicy {
    /// Quantize the activation entering layers that read the input image. NUQ leaves it float
    /// (the image is already 8-bit).
    bool quantizeImageInput = false;
    /// When set, the last layer is pinned to these bits (0 = float) and a configuration may omit it.
    std::optional<int> lastLayerBits;
};

/// Per-layer bit widths of a network: one `LayerBits` per quantizable layer, in inventory order.
class BitConfig {
public:
    BitConfig() = default;
    explicit BitConfig(std::vector<LayerBits> layers) : layers_(std::move(layers)) {}

    /// The same bits for every one of `layerCount` layers (weights and activations coupled).
    static BitConfig uniform(int bits, size_t layerCount);

    /// Parses "8,6,6,4,4,3,2,2": one entry per layer, each `B` (coupled weight/activation bits,
    /// NUQ's scheme), `W/A` (separate bits) or `f` (float). A single entry applies to every
    /// layer. Throws `ConfigError` naming the entry or the count that is wrong.
    static BitConfig parse(const std::string& text, const std::vector<std::string>& layerNames,
                           const LayerPolicy& policy = {});
    /// Parses JSON keyed by layer name: {"conv0": 8, "conv1": {"weight": 6, "activation": 8},
    /// "classifier": "float"}, or {"layers": {...}}. Every layer must appear (except a pinned last
    /// layer); unknown names are errors.
    static BitConfig fromJson(const std::string& json, const std::vector<std::string>& layerNames,
                              const LayerPolicy& policy = {});

    size_t size() const { return layers_.size(); }
    const LayerBits& operator[](size_t i) const { return layers_.at(i); }
    const std::vector<LayerBits>& layers() const { return layers_; }

    std::string toString() const; ///< the compact form parse() reads
    std::string toJson(const std::vector<std::string>& layerNames) const;

    bool operator==(const BitConfig& other) const { return layers_ == other.layers_; }
    bool operator!=(const BitConfig& other) const { return layers_ != other.layers_; }
    bool operator<(const BitConfig& other) const { return layers_ < other.layers_; } ///< for ordered maps

private:
    std::vector<LayerBits> layers_;
};

} // namespace quantscope
