#include "bitserial/window_words.h"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QUANTSCOPE_X86 1
#endif

namespace quantscope::bitserial {
namespace {

void gatherByShifts(const uint64_t* row, std::size_t firstBit, std::size_t stepBits, int count, uint64_t mask,
                    uint64_t* to)
{
    std::size_t bit = firstBit;
    for (int i = 0; i < count; ++i, bit += stepBits) {
        const std::size_t word = bit >> 6;
        const unsigned shift = unsigned(bit & 63);
        // (high << 1) << (63 - shift): high << (64 - shift) without the undefined shift by 64 at shift 0.
        to[i] = ((row[word] >> shift) | ((row[word + 1] << 1) << (63 - shift))) & mask;
    }
}

/// Every window on a byte: on a little-endian machine bit k of the string (bit k % 64 of word
/// k / 64) is bit k % 8 of byte k / 8, so a window is one unaligned load.
void gatherByBytes(const uint64_t* row, std::size_t firstBit, std::size_t stepBits, int count, uint64_t mask,
                   uint64_t* to)
{
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the bit strings' byte view assumes little endian");
    const unsigned char* bytes = reinterpret_cast<const unsigned char*>(row) + firstBit / 8;
    const std::size_t step = stepBits / 8;
    for (int i = 0; i < count; ++i, bytes += step) {
        uint64_t value;
        std::memcpy(&value, bytes, sizeof value);
        to[i] = value & mask;
    }
}

#ifdef QUANTSCOPE_X86
/// For windows 1..8 bytes apart: byte j of lane i comes from byte i * step + j.
struct WindowPermutes {
    alignas(64) unsigned char index[8][64];
    constexpr WindowPermutes() : index()
    {
        for (unsigned step = 1; step <= 8; ++step)
            for (unsigned lane = 0; lane < 8; ++lane)
                for (unsigned byte = 0; byte < 8; ++byte)
                    index[step - 1][lane * 8 + byte] = static_cast<unsigned char>(lane * step + byte);
    }
};
constexpr WindowPermutes kPermutes;

/// 8 windows at most 8 bytes apart lie in 64 bytes: one masked load (no read past the last
/// window's bytes) and one byte permute place each in its 64-bit lane (zero-masked: GCC 12 warns
/// falsely about the unmasked form's undefined pass-through).
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void gatherByPermutes(const uint64_t* row, std::size_t firstBit,
                                                                             std::size_t stepBits, int count,
                                                                             uint64_t mask, uint64_t* to)
{
    const unsigned char* bytes = reinterpret_cast<const unsigned char*>(row) + firstBit / 8;
    const unsigned step = unsigned(stepBits / 8);
    const __m512i permute = _mm512_load_si512(kPermutes.index[step - 1]);
    const __m512i masks = _mm512_set1_epi64(int64_t(mask));
    for (int first = 0; first < count; first += 8, bytes += 8 * step) {
        const unsigned windows = unsigned(count - first < 8 ? count - first : 8);
        const unsigned length = (windows - 1) * step + 8;
        const __mmask64 load = length >= 64 ? ~__mmask64(0) : (__mmask64(1) << length) - 1;
        const __m512i span = _mm512_maskz_loadu_epi8(load, bytes);
        _mm512_storeu_si512(to + first,
                            _mm512_and_si512(_mm512_maskz_permutexvar_epi8(~__mmask64(0), permute, span), masks));
    }
}
#endif

} // namespace

WindowWordGather windowWordGather(KernelPath path, std::size_t stepBits)
{
    if (stepBits % 8 != 0)
        return gatherByShifts;
#ifdef QUANTSCOPE_X86
    if (path == KernelPath::Avx512 && stepBits <= 64 && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vbmi"))
        return gatherByPermutes;
#else
    (void)path;
#endif
    return gatherByBytes;
}

} // namespace quantscope::bitserial
