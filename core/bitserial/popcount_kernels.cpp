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

void convPixelPortable(const ConvPixelTask& t)
{
    std::fill(t.out, t.out + t.outChannelsPadded, int64_t(0));
    for (int position = 0; position < t.positions; ++position)
        for (int p = 0; p < t.activationPlanes.count; ++p)
            for (int word = 0; word < t.words; ++word) {
                const uint64_t a = t.activations[position][p * t.words + word];
                if (a == 0) // ReLU outputs are sparse
                    continue;
                for (int q = 0; q < t.weightPlanes.count; ++q) {
                    const uint64_t* w = t.weights[position] + size_t(q * t.words + word) * size_t(t.outChannelsPadded);
                    const int shift = t.activationPlanes.shift[p] + t.weightPlanes.shift[q];
                    const bool negative = t.activationPlanes.negative[p] != t.weightPlanes.negative[q];
                    for (int o = 0; o < t.outChannelsPadded; ++o) {
                        const int64_t count = int64_t(__builtin_popcountll(a & w[o])) << shift;
                        t.out[o] += negative ? -count : count;
                    }
                }
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

__attribute__((target("avx2"))) void convPixelAvx2(const ConvPixelTask& t)
{
    for (int block = 0; block < t.outChannelsPadded; block += 4) {
        __m256i plus = _mm256_setzero_si256(), minus = _mm256_setzero_si256();
        for (int position = 0; position < t.positions; ++position)
            for (int p = 0; p < t.activationPlanes.count; ++p)
                for (int word = 0; word < t.words; ++word) {
                    const uint64_t a = t.activations[position][p * t.words + word];
                    if (a == 0)
                        continue;
                    const __m256i broadcast = _mm256_set1_epi64x(int64_t(a));
                    for (int q = 0; q < t.weightPlanes.count; ++q) {
                        const uint64_t* w =
                            t.weights[position] + size_t(q * t.words + word) * size_t(t.outChannelsPadded) + block;
                        const __m256i count = _mm256_sllv_epi64(
                            popcount64Avx2(
                                _mm256_and_si256(broadcast, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)))),
                            _mm256_set1_epi64x(t.activationPlanes.shift[p] + t.weightPlanes.shift[q]));
                        if (t.activationPlanes.negative[p] != t.weightPlanes.negative[q])
                            minus = _mm256_add_epi64(minus, count);
                        else
                            plus = _mm256_add_epi64(plus, count);
                    }
                }
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(t.out + block), _mm256_sub_epi64(plus, minus));
    }
}

// GCC 12 reports the deliberately undefined pass-through operand inside AVX-512 intrinsics
// (_mm512_undefined_epi32) as uninitialised.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
__attribute__((target("avx512f,avx512vpopcntdq"))) void convPixelAvx512(const ConvPixelTask& t)
{
    for (int block = 0; block < t.outChannelsPadded; block += 8) {
        __m512i plus = _mm512_setzero_si512(), minus = _mm512_setzero_si512();
        for (int position = 0; position < t.positions; ++position)
            for (int p = 0; p < t.activationPlanes.count; ++p)
                for (int word = 0; word < t.words; ++word) {
                    const uint64_t a = t.activations[position][p * t.words + word];
                    if (a == 0)
                        continue;
                    const __m512i broadcast = _mm512_set1_epi64(int64_t(a));
                    for (int q = 0; q < t.weightPlanes.count; ++q) {
                        const uint64_t* w =
                            t.weights[position] + size_t(q * t.words + word) * size_t(t.outChannelsPadded) + block;
                        const __m512i count =
                            _mm512_sllv_epi64(_mm512_popcnt_epi64(_mm512_and_si512(broadcast, _mm512_loadu_si512(w))),
                                              _mm512_set1_epi64(t.activationPlanes.shift[p] + t.weightPlanes.shift[q]));
                        if (t.activationPlanes.negative[p] != t.weightPlanes.negative[q])
                            minus = _mm512_add_epi64(minus, count);
                        else
                            plus = _mm512_add_epi64(plus, count);
                    }
                }
        _mm512_storeu_si512(t.out + block, _mm512_sub_epi64(plus, minus));
    }
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

ConvPixelKernel convPixelKernel(KernelPath path)
{
    if (!supports(path))
        throw ConfigError(std::string("bit-serial: this CPU cannot run the ") + kernelPathName(path) + " kernels");
    switch (path) {
    case KernelPath::Portable: return convPixelPortable;
#ifdef QUANTSCOPE_X86
    case KernelPath::Avx2: return convPixelAvx2;
    case KernelPath::Avx512: return convPixelAvx512;
#else
    default: break;
#endif
    }
    return convPixelPortable;
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
