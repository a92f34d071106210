#pragma once

namespace quantscope {

/// Bit widths of one layer: its weights and the activation entering it. 0 means float (FP32).
struct LayerBits {
    int weight = 0;
    int activation = 0;

    bool isFloat() const { return weight == 0 && activation == 0; }
    bool coupled() const { return weight == activation; }
    bool operator==(const LayerBits& other) const { return weight == other.weight && activation == other.activation; }
    bool operator!=(const LayerBits& other) const { return !(*this == other); }
    bool operator<(const LayerBits& other) const
    {
        return weight != other.weight ? weight < other.weight : activation < other.activation;
    }
};

} // namespace quantscope
