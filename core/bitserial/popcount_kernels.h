#pragma once

#include "bitserial/bit_planes.h"

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

/// One output pixel of a direct bit-serial convolution, for every output channel:
/// `out[o] = sum over kernel positions, planes p and q and words of
/// (-1)^(negA[p] + negW[q]) 2^(shiftA[p] + shiftW[q]) popcount(a_p & w_q[o])`.
struct ConvPixelTask {
    const uint64_t* const* activations; ///< per kernel position: the input pixel's planes, [p][word]
    const uint64_t* const* weights;     ///< per kernel position: [q][word][outChannelsPadded]
    int positions = 0;
    int words = 0;             ///< 64-bit words of channels per plane
    int outChannelsPadded = 0; ///< a multiple of 8
    PlaneWeights activationPlanes, weightPlanes;
    int64_t* out = nullptr; ///< outChannelsPadded sums
};
using ConvPixelKernel = void (*)(const ConvPixelTask& task);
/// The path's kernel (vectorised over output channels); ConfigError when this CPU cannot run it.
ConvPixelKernel convPixelKernel(KernelPath path);

} // namespace quantscope::bitserial
