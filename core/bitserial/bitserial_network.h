#pragma once

#include "bitserial/bitserial_conv.h"
#include "bitserial/popcount_kernels.h"
#include "quant/quantizer.h"

#include <memory>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace quantscope {
class QuantizedSnapshot;
}

namespace quantscope::bitserial {

/// How one quantizable layer of a BitSerialNetwork runs, and the time it took.
struct ExecutedLayer {
    std::string name;
    int weightBits = 0;     ///< 0: float
    int activationBits = 0; ///< of its input; 0: float
    /// On the bit-serial kernels; otherwise LibTorch's float operator on the quantized values, for
    /// the reason given (a float weight or input, a dilated convolution).
    bool bitSerial = false;
    std::string fallback;
    /// Its convolution's shape as last run (a linear layer: a 1x1 convolution over a 1 x batch
    /// image), whether it is linear, and whether its calibrated input is signed.
    ConvGeometry geometry;
    bool linear = false;
    bool signedInput = false;
    double seconds = 0; ///< summed over forward passes since resetTimes(), with the operations folded in
};

/// A network quantized with the uniform quantizer, executed for real: each layer whose weight and
/// input are quantized runs on the bit-serial kernels, from the same integers the simulation
/// computes with (weights `q * scale` per output channel, inputs `round(x / scale)` clamped to the
/// calibrated grid, computed inside the kernels), so its logits equal the simulation's up to float
/// rounding. A batch norm and ReLU right after such a layer, read by nothing else, are folded into
/// its epilogue (`sum x scale + shift`, then max(0, .)); everything else (pooling, additions, float
/// layers) runs on LibTorch's CPU operators, in the order of the snapshot's inference graph.
class BitSerialNetwork {
public:
    /// ConfigError when the snapshot's quantizer is not the uniform one (the others have no
    /// integer form) or its network has no inference graph.
    BitSerialNetwork(const QuantizedSnapshot& snapshot, KernelPath path);
    ~BitSerialNetwork();
    BitSerialNetwork(const BitSerialNetwork&) = delete;
    BitSerialNetwork& operator=(const BitSerialNetwork&) = delete;

    /// Logits for a batch of normalised images (N x C x H x W, float, CPU).
    at::Tensor forward(const at::Tensor& images);
    const std::vector<ExecutedLayer>& layers() const;
    /// Seconds spent outside the quantizable layers since resetTimes().
    double otherSeconds() const;
    void resetTimes();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// How the engine codes a layer under the uniform quantizer: weights in two's complement (offset
/// binary, +-1, at 1 bit); the input on its calibrated grid, unsigned when the range is
/// non-negative, else two's complement (a signed 1-bit grid {-1, 0, 1} needs 2 bits).
Encoding uniformWeightEncoding(int bits);
struct InputCoding {
    QuantizedInput grid;
    int bits = 0;
    Encoding encoding = Encoding::Unsigned;
};
InputCoding uniformInputCoding(int bits, const ActivationRange& range);

/// LibTorch's thread pool as the kernels' ParallelFor: the engine's kernels share LibTorch's
/// threads (as many as it uses now) rather than competing with its spinning OpenMP workers.
void onLibTorchThreads(int count, const std::function<void(int begin, int end)>& body);

} // namespace quantscope::bitserial
