#pragma once

#include "bitserial/bit_planes.h"
#include "bitserial/popcount_kernels.h"

#include <cstdint>
#include <vector>

namespace quantscope::bitserial {

/// out = A W^T in exact integers (a.rows x w.rows, row-major), from bit planes: with A's values
/// `oA + sum_p cA_p a_p` and W's `oW + sum_q cW_q w_q`, each entry is
/// `sum_{p,q} cA_p cW_q popcount(a_p AND w_q) + oW sum(A's planes) + oA sum(W's planes) + depth oA oW`,
/// so any pair of widths runs on AND and popcount. Rows of A are split over `threads`.
/// ConfigError when the depths differ or a result could overflow 32 bits.
std::vector<int32_t> bitSerialGemm(const BitPlanes& a, const BitPlanes& w, KernelPath path, int threads = 1);

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
    int depth() const { return channels / groups * kernelHeight * kernelWidth; } ///< per group
    /// ConfigError naming what is wrong: a size below 1, channels not divisible by groups, a kernel
    /// larger than the padded input.
    void validate() const;
};

/// Weights packed once per layer: one matrix per group, rows = its output channels.
struct PackedConvWeights {
    ConvGeometry geometry;
    std::vector<BitPlanes> groups;
};
PackedConvWeights packConvWeights(const int32_t* weights, const ConvGeometry& geometry, int bits, Encoding encoding);

/// The convolution of integer activations `input` (NCHW, `activationBits` in `activationEncoding`,
/// which must hold 0 for the padding: Unsigned or TwosComplement) with packed weights, as exact
/// integers (N x outChannels x outHeight x outWidth). im2col per image and group, then
/// bitSerialGemm; images are split over `threads`.
std::vector<int32_t> bitSerialConv2d(const int32_t* input, const PackedConvWeights& weights, int activationBits,
                                     Encoding activationEncoding, KernelPath path, int threads = 1);

} // namespace quantscope::bitserial
