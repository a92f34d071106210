#pragma once

#include "bitserial/bit_planes.h"
#include "bitserial/popcount_kernels.h"

#include <cstddef>
#include <cstdint>
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

/// A layer's weights packed once for direct bit-serial convolution: for each group, kernel
/// position, weight plane and 64-channel word, the words of every output channel side by side
/// (padded to a multiple of 8), so that one vector instruction serves 4 or 8 output channels.
struct PackedConvWeights {
    ConvGeometry geometry;
    int bits = 0;
    Encoding encoding = Encoding::TwosComplement;
    int words = 0;              ///< 64-bit words per plane over one group's input channels
    int outChannelsPadded = 0;  ///< one group's output channels, rounded up to 8
    std::vector<uint64_t> data; ///< group, ky, kx, plane, word, output channel

    const uint64_t* at(int group, int ky, int kx) const { return data.data() + offset(group, ky, kx); }
    std::size_t offset(int group, int ky, int kx) const; ///< of a kernel position's block in `data`
};
PackedConvWeights packConvWeights(const int32_t* weights, const ConvGeometry& geometry, int bits, Encoding encoding);

/// The convolution of integer activations `input` (NCHW, `activationBits` in `activationEncoding`,
/// which must hold 0 for the padding: Unsigned or TwosComplement) with packed weights, as exact
/// integers (N x outChannels x outHeight x outWidth). The activations are packed along channels
/// (each pixel's channels in 64-bit words per bit plane); every output pixel then sums AND-popcounts
/// over its kernel positions (convPixelKernel); rows of output pixels are split over `threads`.
/// ConfigError for an activation value outside its width or sums that could overflow 32 bits.
std::vector<int32_t> bitSerialConv2d(const int32_t* input, const PackedConvWeights& weights, int activationBits,
                                     Encoding activationEncoding, KernelPath path, int threads = 1);

} // namespace quantscope::bitserial
