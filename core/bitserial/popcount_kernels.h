#pragma once

#include "bitserial/bit_planes.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace quantscope::bitserial {

/// The instruction sets a bit-serial product can count bits with, chosen at run time: portable C++
/// everywhere, AVX2 (a nibble table through vpshufb; AVX2 has no vector popcount) and AVX-512
/// VPOPCNTDQ (eight 64-bit counts per instruction) where the CPU and OS support them.
enum class KernelPath { Portable, Avx2, Avx512 };

const char* kernelPathName(KernelPath path);
/// Portable first, then every vector path this CPU runs, fastest last.
std::vector<KernelPath> supportedKernelPaths();
KernelPath fastestKernelPath();

/// popcount(a & b) summed over `words` 64-bit words.
using AndPopcount = uint64_t (*)(const uint64_t* a, const uint64_t* b, int words);
/// The path's kernel; ConfigError when this CPU cannot run it.
AndPopcount andPopcountKernel(KernelPath path);

/// Output pixels a tile kernel computes at once: one AVX-512 vector of 64-bit lanes.
constexpr int kTilePixels = 8;

/// A tile of a bit-serial product: kTilePixels pixels' activation bits against every output
/// channel's weight bits, written as exact int32 sums:
/// `out[o][i] = sum over planes p, q of (-1)^(negA[p] + negW[q]) 2^(shiftA[p] + shiftW[q])
///              sum over words of popcount(a[p][word][i] & w[q][word][o])
///              + weightOffset * (pixel i's activation sum)`.
/// Activations lie pixel-minor, so that one vector load takes a word of every pixel of the tile
/// and each pixel's sums of an output channel are stored side by side (NCHW rows). Counts of one
/// plane pair are summed first and shifted once.
struct PopcountTile {
    const uint64_t* activations = nullptr; ///< [p][word][pixelStride]: the tile's pixels first in each row
    std::size_t pixelStride = 0;           ///< at least kTilePixels; lanes past `pixels` are read, not stored
    const uint64_t* weights = nullptr;     ///< [q][word][outChannelsPadded]
    int words = 0;                         ///< 64-bit words per plane
    int outChannels = 0;
    int outChannelsPadded = 0; ///< a multiple of 4, the weights' row length
    PlaneWeights activationPlanes, weightPlanes;
    /// Offset-binary weights `2u - (2^b - 1)`: the planes give 2u, this times the activation sum
    /// the rest; 0 otherwise.
    int64_t weightOffset = 0;
    int pixels = kTilePixels; ///< pixels to store, 1 .. kTilePixels
    int32_t* out = nullptr;   ///< pixel i of output channel o at out[o * outStride + i]
    std::size_t outStride = 0;
};
using PopcountTileKernel = void (*)(const PopcountTile& tile);
/// The path's kernel (vectorised over output channels); ConfigError when this CPU cannot run it.
PopcountTileKernel popcountTileKernel(KernelPath path);

} // namespace quantscope::bitserial
