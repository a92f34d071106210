#include "bitserial/popcount_kernels.h"

#include "common/error.h"

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

#ifdef QUANTSCOPE_X86
__attribute__((target("avx2"))) uint64_t andPopcountAvx2(const uint64_t* a, const uint64_t* b, int words)
{
    // Bits per nibble by table lookup, bytes summed into 64-bit lanes by vpsadbw (Mula's method).
    const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2,
                                           2, 3, 2, 3, 3, 4);
    const __m256i lowNibbles = _mm256_set1_epi8(0x0f);
    __m256i sums = _mm256_setzero_si256();
    int i = 0;
    for (; i + 4 <= words; i += 4) {
        const __m256i v = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i)),
                                           _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i)));
        const __m256i low = _mm256_shuffle_epi8(table, _mm256_and_si256(v, lowNibbles));
        const __m256i high = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(v, 4), lowNibbles));
        sums = _mm256_add_epi64(sums, _mm256_sad_epu8(_mm256_add_epi8(low, high), _mm256_setzero_si256()));
    }
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
