#include "bitserial/channel_bits.h"

#include "bitserial/vector_clones.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QUANTSCOPE_X86 1
#endif

namespace quantscope::bitserial {
namespace {

/// OR-ing `value + bias` per pixel (`seen`) and testing once keeps the loops vectorised.
QUANTSCOPE_VECTOR_CLONES bool gatherByChannels(const int32_t* values, std::size_t channelStride, int channels,
                                               int width, int bits, uint32_t bias, ChunkBits* pixelPlanes,
                                               uint32_t* seen)
{
    std::fill(pixelPlanes, pixelPlanes + std::size_t(width) * std::size_t(bits), ChunkBits(0));
    std::fill(seen, seen + width, 0u);
    for (int c = 0; c < channels; ++c, values += channelStride) { // channel by channel: rows are contiguous
        for (int x = 0; x < width; ++x)
            seen[x] |= uint32_t(values[x]) + bias;
        for (int p = 0; p < bits; ++p)
            for (int x = 0; x < width; ++x)
                pixelPlanes[std::size_t(p) * std::size_t(width) + std::size_t(x)] |=
                    ChunkBits(uint32_t(values[x]) >> p & 1u) << c;
    }
    uint32_t any = 0;
    for (int x = 0; x < width; ++x)
        any |= seen[x];
    return (uint64_t(any) >> bits) == 0;
}

#ifdef QUANTSCOPE_X86
/// Blocks of 16 pixels across every channel: the block's `Bits` planes stay in registers.
template <int Bits>
__attribute__((target("avx512f"))) bool gatherByBlocks(const int32_t* values, std::size_t channelStride, int channels,
                                                       int width, uint32_t bias, ChunkBits* pixelPlanes)
{
    static_assert(sizeof(ChunkBits) == 4 && kChunkChannels == 32, "one 32-bit lane per pixel");
    const __m512i biases = _mm512_set1_epi32(int32_t(bias));
    __m512i any = _mm512_setzero_si512();
    for (int x0 = 0; x0 < width; x0 += 16) {
        const __mmask16 lanes = __mmask16(width - x0 >= 16 ? 0xffffu : (1u << (width - x0)) - 1);
        __m512i planes[Bits];
        for (__m512i& plane : planes)
            plane = _mm512_setzero_si512();
        const int32_t* from = values + x0;
        for (int c = 0; c < channels; ++c, from += channelStride) {
            const __m512i v = _mm512_maskz_loadu_epi32(lanes, from);
            any = _mm512_or_si512(any, _mm512_add_epi32(v, biases)); // (lanes past the row: 0 + bias fits)
            const __m512i channelBit = _mm512_set1_epi32(int32_t(1u << c));
            for (int p = 0; p < Bits; ++p)
                planes[p] = _mm512_mask_or_epi32(planes[p], _mm512_test_epi32_mask(v, _mm512_set1_epi32(1 << p)),
                                                 planes[p], channelBit);
        }
        for (int p = 0; p < Bits; ++p)
            _mm512_mask_storeu_epi32(pixelPlanes + std::size_t(p) * std::size_t(width) + std::size_t(x0), lanes,
                                     planes[p]);
    }
    alignas(64) uint32_t words[16];
    _mm512_store_si512(words, any);
    uint32_t all = 0;
    for (uint32_t word : words)
        all |= word;
    return (uint64_t(all) >> Bits) == 0;
}

bool gatherByBlocksAvx512(const int32_t* values, std::size_t channelStride, int channels, int width, int bits,
                          uint32_t bias, ChunkBits* pixelPlanes, uint32_t* /*seen*/)
{
    switch (bits) {
    case 1: return gatherByBlocks<1>(values, channelStride, channels, width, bias, pixelPlanes);
    case 2: return gatherByBlocks<2>(values, channelStride, channels, width, bias, pixelPlanes);
    case 3: return gatherByBlocks<3>(values, channelStride, channels, width, bias, pixelPlanes);
    case 4: return gatherByBlocks<4>(values, channelStride, channels, width, bias, pixelPlanes);
    case 5: return gatherByBlocks<5>(values, channelStride, channels, width, bias, pixelPlanes);
    case 6: return gatherByBlocks<6>(values, channelStride, channels, width, bias, pixelPlanes);
    case 7: return gatherByBlocks<7>(values, channelStride, channels, width, bias, pixelPlanes);
    default: return gatherByBlocks<8>(values, channelStride, channels, width, bias, pixelPlanes);
    }
}
#endif

} // namespace

ChannelBitsGather channelBitsGather(KernelPath path)
{
#ifdef QUANTSCOPE_X86
    if (path == KernelPath::Avx512)
        return gatherByBlocksAvx512;
#else
    (void)path;
#endif
    return gatherByChannels;
}

} // namespace quantscope::bitserial
