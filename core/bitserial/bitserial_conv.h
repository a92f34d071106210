#pragma once

#include "bitserial/bit_planes.h"
#include "bitserial/popcount_kernels.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace quantscope::bitserial {

/// A 2-D convolution's shape (NCHW input, OIHW weights with I = channels / groups).
struct ConvGeometry {
    int batch = 1;
    int channels = 1;
    int height = 1;
    int width = 1;
    int outChannels = 1;
    int kernelHeight = 1;
    int kernelWidth = 1;
    int strideY = 1;
    int strideX = 1;
    int padY = 0;
    int padX = 0;
    int groups = 1;

    int outHeight() const { return (height + 2 * padY - kernelHeight) / strideY + 1; }
    int outWidth() const { return (width + 2 * padX - kernelWidth) / strideX + 1; }
    int groupChannels() const { return channels / groups; }
    int groupOutChannels() const { return outChannels / groups; }
    /// ConfigError naming what is wrong: a size below 1, channels not divisible by groups, a kernel
    /// larger than the padded input.
    void validate() const;
};

/// A layer's weights packed once for bit-serial convolution. The reduction axis of one output
/// channel is its group's kernel window, one bit per value and plane: a segment of whole words
/// per kernel row, holding that row's kernel columns and input channels side by side (zeros
/// after them), so that an input row packed the same way yields a pixel's window segment with
/// one unaligned read: 3 words for a 3x3 window of 16 channels rather than a word per position. For each group, plane and word, the words of every output channel lie side
/// by side (padded to a multiple of 4: the kernels take 4 channels at a time).
struct PackedConvWeights {
    ConvGeometry geometry;
    int bits = 0;
    Encoding encoding = Encoding::TwosComplement;
    int segmentWords = 0;       ///< 64-bit words per kernel row: kernelWidth x group channels bits
    int words = 0;              ///< per plane over one group's kernel window: kernelHeight segments
    int outChannelsPadded = 0;  ///< one group's output channels, rounded up to 4
    std::vector<uint64_t> data; ///< group, plane, word, output channel

    const uint64_t* group(int g) const
    {
        return data.data() + std::size_t(g) * std::size_t(bits) * std::size_t(words) * std::size_t(outChannelsPadded);
    }
};
PackedConvWeights packConvWeights(const int32_t* weights, const ConvGeometry& geometry, int bits, Encoding encoding);

/// The uniform quantizer's grid of a float input: code = clamp(round-half-even(value / scale),
/// lowest, highest), in float as LibTorch computes it, so the codes equal the simulation's.
struct QuantizedInput {
    float scale = 1;
    float lowest = 0;
    float highest = 0;
};

/// What a convolution reads: integer codes (NCHW), or float values (NCHW) it quantizes on the way.
struct ConvInput {
    const int32_t* codes = nullptr;
    const float* values = nullptr;
    QuantizedInput grid; ///< for `values`
};

/// What a convolution writes (NCHW): the exact int32 sums, or floats `sum * scale[o] + shift[o]`
/// (then max(0, .) with `relu`): the layer's rescaling, bias and a folded batch norm.
struct ConvOutput {
    int32_t* sums = nullptr;
    float* values = nullptr;
    const float* scale = nullptr; ///< per output channel
    const float* shift = nullptr; ///< per output channel; none: 0
    bool relu = false;
};

/// `parallel`, when set, runs the rows instead of `threads` threads of their own: a caller with a
/// thread pool (LibTorch's, whose idle workers spin) hands it here so that both share the cores.
using ParallelFor = std::function<void(int count, const std::function<void(int begin, int end)>& body)>;

/// The convolution of integer activations (`activationBits` in `activationEncoding`, which must
/// hold 0 for the padding: Unsigned or TwosComplement) with packed weights, in exact integers. The
/// activations are packed into zero-padded rows of channel bits per plane; each output row gathers
/// its pixels' window segments from those rows (a bit-level im2col, pixel-minor) and sums
/// AND-popcounts against the weights kTilePixels pixels at a time (popcountTileKernel).
/// ConfigError for an activation code outside its width, a grid whose codes do not fit it, sums
/// that could overflow 32 bits, or not exactly one input and one output form.
void bitSerialConv2d(const ConvInput& input, const PackedConvWeights& weights, int activationBits,
                     Encoding activationEncoding, KernelPath path, const ConvOutput& output, int threads = 1,
                     const ParallelFor& parallel = {});
/// From codes to exact sums (N x outChannels x outHeight x outWidth).
std::vector<int32_t> bitSerialConv2d(const int32_t* input, const PackedConvWeights& weights, int activationBits,
                                     Encoding activationEncoding, KernelPath path, int threads = 1);

} // namespace quantscope::bitserial
