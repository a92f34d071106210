#pragma once

#include "quant/bit_config.h"

#include <Eigen/Dense>

#include <memory>
#include <string>

namespace quantscope {

/// Maps bit configurations of `layerCount` layers (1..8 bits each) to GP inputs in [0, 1]^dim
/// and back (NUQ section 3.1, and a per-layer encoding beyond it).
class Encoding {
public:
    explicit Encoding(size_t layerCount) : layerCount_(layerCount) {}
    virtual ~Encoding() = default;

    virtual std::string name() const = 0;
    virtual int dim() const = 0;
    size_t layerCount() const { return layerCount_; }

    /// The configuration a GP input stands for (coupled weight/activation bits).
    virtual BitConfig decode(const Eigen::VectorXd& w) const = 0;
    /// The GP input that represents `config`. Curve encodings cannot represent every
    /// configuration: they return the least-squares projection onto their curve family, clamped
    /// to [0, 1], so the posterior answers an off-curve configuration at its nearest curve
    /// (`decode(encode(c)) != c` tells). Float layers count as 8 bits, and W/A entries as their mean.
    virtual Eigen::VectorXd encode(const BitConfig& config) const = 0;
    bool represents(const BitConfig& config) const { return decode(encode(config)) == config; }

protected:
    size_t layerCount_;
};

/// "per-layer", "bezier1" (linear, d = 2, NUQ's Table 1), "bezier2" (quadratic, d = 3), or
/// "chebyshevD" (modified Chebyshev of D coefficients, NUQ uses 4). ConfigError otherwise.
std::unique_ptr<Encoding> makeEncoding(const std::string& name, size_t layerCount);

/// The continuous bits of an entry (float = 8, W/A = their mean), shared by the encodings.
double entryBits(const LayerBits& bits);
/// The sum of entryBits over a configuration's layers (NUQ's effective accuracy, the initial
/// design's ends).
double bitSum(const BitConfig& config);

} // namespace quantscope
