#include "bitserial/popcount_kernels.h"

#include "common/error.h"

#include <algorithm>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QUANTSCOPE_X86 1
#endif

namespace quantscope::bitserial {
namespace {

uint64_t andPopcountPortable(const uint64_t* a, const uint64_t* b, int words)
{
    uint64_t count = 0;
    for (int i = 0; i < words; ++i)
        count += uint64_t(__builtin_popcountll(a[i] & b[i]));
    return count;
}

/// Each pixel's activation sum `sum_p (-1)^negA[p] 2^shiftA[p] popcount(a[p][.][i])`, the
/// correction term of offset-binary weights. Inlined into each kernel, so that it counts with the
/// kernel's instruction set (popcnt where the vector paths run).
inline __attribute__((always_inline)) void activationSums(const PopcountTile& t, int64_t* sums)
{
    for (int i = 0; i < kTilePixels; ++i)
        sums[i] = 0;
    for (int p = 0; p < t.activationPlanes.count; ++p)
        for (int i = 0; i < kTilePixels; ++i) {
            int64_t ones = 0;
            for (int word = 0; word < t.words; ++word)
                ones += __builtin_popcountll(t.activations[size_t(p * t.words + word) * t.pixelStride + size_t(i)]);
            sums[i] += t.activationPlanes.negative[p] ? -(ones << t.activationPlanes.shift[p])
                                                      : ones << t.activationPlanes.shift[p];
        }
}

void popcountTilePortable(const PopcountTile& t)
{
    int64_t sums[kTilePixels];
    activationSums(t, sums);
    const size_t columns = size_t(t.outChannelsPadded);
    for (int o = 0; o < t.outChannels; ++o) {
        int64_t total[kTilePixels] = {};
        for (int p = 0; p < t.activationPlanes.count; ++p)
            for (int q = 0; q < t.weightPlanes.count; ++q) {
                int64_t count[kTilePixels] = {};
                for (int word = 0; word < t.words; ++word) {
                    const uint64_t w = t.weights[size_t(q * t.words + word) * columns + size_t(o)];
                    const uint64_t* a = t.activations + size_t(p * t.words + word) * t.pixelStride;
                    for (int i = 0; i < kTilePixels; ++i)
                        count[i] += __builtin_popcountll(a[i] & w);
                }
                const int shift = t.activationPlanes.shift[p] + t.weightPlanes.shift[q];
                const bool negative = t.activationPlanes.negative[p] != t.weightPlanes.negative[q];
                for (int i = 0; i < kTilePixels; ++i)
                    total[i] += negative ? -(count[i] << shift) : count[i] << shift;
            }
        for (int i = 0; i < t.pixels; ++i)
            t.out[size_t(o) * t.outStride + size_t(i)] = int32_t(total[i] + t.weightOffset * sums[i]);
    }
}

#ifdef QUANTSCOPE_X86
__attribute__((target("avx2"))) inline __m256i popcount64Avx2(__m256i v)
{
    // Bits per nibble by table lookup, bytes summed into 64-bit lanes by vpsadbw (Mula's method).
    const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2,
                                           2, 3, 2, 3, 3, 4);
    const __m256i lowNibbles = _mm256_set1_epi8(0x0f);
    const __m256i low = _mm256_shuffle_epi8(table, _mm256_and_si256(v, lowNibbles));
    const __m256i high = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(v, 4), lowNibbles));
    return _mm256_sad_epu8(_mm256_add_epi8(low, high), _mm256_setzero_si256());
}

__attribute__((target("avx2"))) uint64_t andPopcountAvx2(const uint64_t* a, const uint64_t* b, int words)
{
    __m256i sums = _mm256_setzero_si256();
    int i = 0;
    for (; i + 4 <= words; i += 4)
        sums = _mm256_add_epi64(
            sums,
            popcount64Avx2(_mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i)),
                                            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i)))));
    alignas(32) uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), sums);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + andPopcountPortable(a + i, b + i, words - i);
}

__attribute__((target("avx512f,avx512vpopcntdq"))) uint64_t andPopcountAvx512(const uint64_t* a, const uint64_t* b,
                                                                              int words)
{
    __m512i sums = _mm512_setzero_si512();
    int i = 0;
    for (; i + 8 <= words; i += 8)
        sums = _mm512_add_epi64(
            sums, _mm512_popcnt_epi64(_mm512_and_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i))));
    if (i < words) { // the tail through a mask: no reads past the rows
        const __mmask8 mask = __mmask8((1u << (words - i)) - 1);
        sums = _mm512_add_epi64(sums,
                                _mm512_popcnt_epi64(_mm512_and_si512(_mm512_maskz_loadu_epi64(mask, a + i),
                                                                     _mm512_maskz_loadu_epi64(mask, b + i))));
    }
    alignas(64) uint64_t lanes[8]; // (GCC 12 warns falsely inside _mm512_reduce_add_epi64)
    _mm512_store_si512(lanes, sums);
    uint64_t total = 0;
    for (uint64_t lane : lanes)
        total += lane;
    return total;
}

__attribute__((target("avx2,popcnt"))) void popcountTileAvx2(const PopcountTile& t)
{
    int64_t sums[kTilePixels];
    activationSums(t, sums);
    const size_t columns = size_t(t.outChannelsPadded);
    constexpr int lanes = 4, channels = 4; // a vector holds 4 pixels: the tile in two halves
    for (int half = 0; half * lanes < t.pixels; ++half)
        for (int o = 0; o < t.outChannels; o += channels) {
            __m256i total[channels];
            for (__m256i& v : total)
                v = _mm256_setzero_si256();
            for (int p = 0; p < t.activationPlanes.count; ++p)
                for (int q = 0; q < t.weightPlanes.count; ++q) {
                    __m256i count[channels];
                    for (__m256i& v : count)
                        v = _mm256_setzero_si256();
                    for (int word = 0; word < t.words; ++word) {
                        const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(
                            t.activations + size_t(p * t.words + word) * t.pixelStride + size_t(half * lanes)));
                        const uint64_t* w = t.weights + size_t(q * t.words + word) * columns + size_t(o);
                        for (int j = 0; j < channels; ++j)
                            count[j] = _mm256_add_epi64(
                                count[j], popcount64Avx2(_mm256_and_si256(a, _mm256_set1_epi64x(int64_t(w[j])))));
                    }
                    const __m128i shift = _mm_cvtsi32_si128(t.activationPlanes.shift[p] + t.weightPlanes.shift[q]);
                    const bool negative = t.activationPlanes.negative[p] != t.weightPlanes.negative[q];
                    for (int j = 0; j < channels; ++j) {
                        const __m256i shifted = _mm256_sll_epi64(count[j], shift);
                        total[j] = negative ? _mm256_sub_epi64(total[j], shifted) : _mm256_add_epi64(total[j], shifted);
                    }
                }
            for (int j = 0; j < channels && o + j < t.outChannels; ++j) {
                alignas(32) int64_t values[lanes];
                _mm256_store_si256(reinterpret_cast<__m256i*>(values), total[j]);
                for (int i = 0; i < lanes && half * lanes + i < t.pixels; ++i)
                    t.out[size_t(o + j) * t.outStride + size_t(half * lanes + i)] =
                        int32_t(values[i] + t.weightOffset * sums[half * lanes + i]);
            }
        }
}

// GCC 12 reports the deliberately undefined pass-through operand inside AVX-512 intrinsics
// (_mm512_undefined_epi32) as uninitialised.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
/// Output channels o .. o + Channels - 1 of an AVX-512 tile, starting from `correction`.
template <int Channels>
__attribute__((target("avx512f,avx512vpopcntdq"), always_inline)) inline void
popcountChannelsAvx512(const PopcountTile& t, int o, __m512i correction, __mmask8 store)
{
    const size_t columns = size_t(t.outChannelsPadded);
    __m512i total[Channels];
    for (__m512i& v : total)
        v = correction;
    for (int p = 0; p < t.activationPlanes.count; ++p)
        for (int q = 0; q < t.weightPlanes.count; ++q) {
            __m512i count[Channels];
            for (__m512i& v : count)
                v = _mm512_setzero_si512();
            for (int word = 0; word < t.words; ++word) {
                const __m512i a = _mm512_loadu_si512(t.activations + size_t(p * t.words + word) * t.pixelStride);
                const uint64_t* w = t.weights + size_t(q * t.words + word) * columns + size_t(o);
                for (int j = 0; j < Channels; ++j)
                    count[j] = _mm512_add_epi64(
                        count[j], _mm512_popcnt_epi64(_mm512_and_si512(a, _mm512_set1_epi64(int64_t(w[j])))));
            }
            const __m128i shift = _mm_cvtsi32_si128(t.activationPlanes.shift[p] + t.weightPlanes.shift[q]);
            const bool negative = t.activationPlanes.negative[p] != t.weightPlanes.negative[q];
            for (int j = 0; j < Channels; ++j) {
                const __m512i shifted = _mm512_sll_epi64(count[j], shift);
                total[j] = negative ? _mm512_sub_epi64(total[j], shifted) : _mm512_add_epi64(total[j], shifted);
            }
        }
    for (int j = 0; j < Channels && o + j < t.outChannels; ++j)
        _mm512_mask_cvtepi64_storeu_epi32(t.out + size_t(o + j) * t.outStride, store, total[j]);
}

__attribute__((target("avx512f,avx512vpopcntdq"))) void popcountTileAvx512(const PopcountTile& t)
{
    __m512i correction = _mm512_setzero_si512(); // weightOffset x each pixel's activation sum
    if (t.weightOffset != 0) {
        for (int p = 0; p < t.activationPlanes.count; ++p) {
            __m512i ones = _mm512_setzero_si512();
            for (int word = 0; word < t.words; ++word)
                ones = _mm512_add_epi64(ones,
                                        _mm512_popcnt_epi64(_mm512_loadu_si512(
                                            t.activations + size_t(p * t.words + word) * t.pixelStride)));
            const __m512i shifted = _mm512_sll_epi64(ones, _mm_cvtsi32_si128(t.activationPlanes.shift[p]));
            correction = t.activationPlanes.negative[p] ? _mm512_sub_epi64(correction, shifted)
                                                        : _mm512_add_epi64(correction, shifted);
        }
        correction = _mm512_mullox_epi64(correction, _mm512_set1_epi64(t.weightOffset));
    }
    const __mmask8 store = __mmask8((1u << t.pixels) - 1);
    // 8 channels at a time (each activation load serves 8 products), then 4 (the padded width).
    int o = 0;
    for (; o + 8 <= t.outChannelsPadded; o += 8)
        popcountChannelsAvx512<8>(t, o, correction, store);
    for (; o < t.outChannels; o += 4)
        popcountChannelsAvx512<4>(t, o, correction, store);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

bool supports(KernelPath path)
{
    switch (path) {
    case KernelPath::Portable: return true;
#ifdef QUANTSCOPE_X86
    case KernelPath::Avx2: return __builtin_cpu_supports("avx2");
    case KernelPath::Avx512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
#else
    default: return false;
#endif
    }
    return false;
}

} // namespace

const char* kernelPathName(KernelPath path)
{
    switch (path) {
    case KernelPath::Portable: return "portable";
    case KernelPath::Avx2: return "avx2";
    case KernelPath::Avx512: return "avx512-vpopcntdq";
    }
    return "?";
}

std::vector<KernelPath> supportedKernelPaths()
{
    std::vector<KernelPath> paths;
    for (KernelPath path : {KernelPath::Portable, KernelPath::Avx2, KernelPath::Avx512})
        if (supports(path))
            paths.push_back(path);
    return paths;
}

KernelPath fastestKernelPath()
{
    return supportedKernelPaths().back();
}

PopcountTileKernel popcountTileKernel(KernelPath path)
{
    if (!supports(path))
        throw ConfigError(std::string("bit-serial: this CPU cannot run the ") + kernelPathName(path) + " kernels");
    switch (path) {
    case KernelPath::Portable: return popcountTilePortable;
#ifdef QUANTSCOPE_X86
    case KernelPath::Avx2: return popcountTileAvx2;
    case KernelPath::Avx512: return popcountTileAvx512;
#else
    default: break;
#endif
    }
    return popcountTilePortable;
}

AndPopcount andPopcountKernel(KernelPath path)
{
    if (!supports(path))
        throw ConfigError(std::string("bit-serial: this CPU cannot run the ") + kernelPathName(path) + " kernels");
    switch (path) {
    case KernelPath::Portable: return andPopcountPortable;
#ifdef QUANTSCOPE_X86
    case KernelPath::Avx2: return andPopcountAvx2;
    case KernelPath::Avx512: return andPopcountAvx512;
#else
    default: break;
#endif
    }
    return andPopcountPortable;
}

} // namespace quantscope::bitserial
