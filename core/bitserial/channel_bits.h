#pragma once

#include "bitserial/popcount_kernels.h"

#include <cstddef>
#include <cstdint>

namespace quantscope::bitserial {

/// Channels packed at a time: 32-bit words pack twice the pixels of 64-bit ones per vector.
using ChunkBits = uint32_t;
constexpr int kChunkChannels = 32;

/// For `width` pixels, the bits of up to kChunkChannels channels (`channels` rows of values,
/// `channelStride` apart): pixelPlanes[p * width + x] holds bit p of every channel's value at
/// pixel x. Returns whether every value has a `bits`-bit code, checked on the way (the values are
/// read anyway): `value + bias` (2^(bits-1) for two's complement, else 0) must have no bit from
/// `bits` up. `seen` is scratch of `width` words.
using ChannelBitsGather = bool (*)(const int32_t* values, std::size_t channelStride, int channels, int width, int bits,
                                   uint32_t bias, ChunkBits* pixelPlanes, uint32_t* seen);

/// The path's gather: AVX-512 keeps a block of 16 pixels' planes in registers across the channels
/// (a bit test and a masked OR per plane); the others go channel by channel in plain C++ that
/// compilers vectorise.
ChannelBitsGather channelBitsGather(KernelPath path);

} // namespace quantscope::bitserial
