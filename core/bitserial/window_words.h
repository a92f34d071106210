#pragma once

#include "bitserial/popcount_kernels.h"

#include <cstddef>
#include <cstdint>

namespace quantscope::bitserial {

/// One word of `count` convolution windows from a packed row of activation bits (a bit-level
/// im2col): to[i] = the 64 bits of `row` from bit `firstBit + i * stepBits` on, AND `mask`.
/// `to` has room for `count` rounded up to kTilePixels (lanes past `count` may be written); the
/// row has two words to spare after the last window's first bit.
using WindowWordGather = void (*)(const uint64_t* row, std::size_t firstBit, std::size_t stepBits, int count,
                                  uint64_t mask, uint64_t* to);

/// The fastest gather for windows `stepBits` apart (`firstBit` then always a multiple of 64) on
/// `path`: shifts at any step; unaligned loads where every window starts on a byte; on the AVX-512
/// path, where the CPU has VBMI and windows are at most 64 bits apart, 8 windows per byte permute.
WindowWordGather windowWordGather(KernelPath path, std::size_t stepBits);

} // namespace quantscope::bitserial
