#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace quantscope::bitserial {

/// How a b-bit code u (0 .. 2^b - 1, bit planes u_p) stands for an integer value.
enum class Encoding {
    Unsigned,       ///< value = u (activations after a ReLU)
    TwosComplement, ///< value = u - 2^b u_(b-1): the top plane weighs -2^(b-1) (symmetric weights)
    OffsetBinary,   ///< value = 2u - (2^b - 1): odd values only, e.g. {-1, 1} at 1 bit (binary and
                    ///< mid-rise weights)
};

/// The range of values `bits` bits hold in `encoding`.
struct ValueRange {
    int32_t lowest;
    int32_t highest;
};
ValueRange valueRange(int bits, Encoding encoding);
/// The largest |value| of that range: with a depth, it bounds a product's sums.
int64_t largestMagnitude(int bits, Encoding encoding);

/// Whether `value` has a `bits`-bit code in `encoding`, the code, and the message for a value that
/// has none (naming the value and the range).
bool representable(int32_t value, int bits, Encoding encoding);
uint32_t codeOf(int32_t value, int bits, Encoding encoding);
std::string notRepresentable(int32_t value, int bits, Encoding encoding);

/// Plane p of a code weighs `sign * 2^shift[p]`: the planes of one encoding at one width.
struct PlaneWeights {
    int count = 0;
    int shift[8] = {};
    bool negative[8] = {};
};
PlaneWeights planeWeights(int bits, Encoding encoding);

/// A row-major integer matrix (`rows` x `depth`, depth being the reduction axis of a product) cut
/// into bit planes: for each row, plane p holds bit p of every value's code, 64 values to a word.
/// A value is `offset + sum_p planeWeight(p) * bit_p`; rowPlaneSums holds the rows' sums without
/// the offset, the correction term a product of offset-binary values needs.
struct BitPlanes {
    int rows = 0;
    int depth = 0;
    int bits = 0;
    Encoding encoding = Encoding::Unsigned;
    int words = 0;              ///< 64-bit words per plane, ceil(depth / 64)
    std::vector<uint64_t> data; ///< row, then plane, then word
    std::vector<int64_t> rowPlaneSums;

    const uint64_t* plane(int row, int p) const
    {
        return data.data() + (std::size_t(row) * std::size_t(bits) + std::size_t(p)) * std::size_t(words);
    }
    int64_t planeWeight(int p) const;
    int64_t offset() const;
};

/// Packs `values` (rows x depth, row-major); ConfigError naming the first value outside
/// valueRange(bits, encoding), or bits outside 1..8.
BitPlanes packBitPlanes(const int32_t* values, int rows, int depth, int bits, Encoding encoding);

} // namespace quantscope::bitserial
