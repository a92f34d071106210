#include "bitserial/bit_planes.h"

#include "common/error.h"

#include <algorithm>
#include <string>

namespace quantscope::bitserial {
namespace {

void requireBits(int bits)
{
    if (bits < 1 || bits > 8)
        throw ConfigError("bit-serial: " + std::to_string(bits) + " bits, expected 1..8");
}

const char* nameOf(Encoding encoding)
{
    switch (encoding) {
    case Encoding::Unsigned: return "unsigned";
    case Encoding::TwosComplement: return "two's complement";
    case Encoding::OffsetBinary: return "offset binary";
    }
    return "?";
}

} // namespace

ValueRange valueRange(int bits, Encoding encoding)
{
    requireBits(bits);
    const int32_t codes = 1 << bits;
    switch (encoding) {
    case Encoding::Unsigned: return {0, codes - 1};
    case Encoding::TwosComplement: return {-codes / 2, codes / 2 - 1};
    case Encoding::OffsetBinary: return {-(codes - 1), codes - 1};
    }
    return {0, 0};
}

int64_t largestMagnitude(int bits, Encoding encoding)
{
    const ValueRange range = valueRange(bits, encoding);
    return std::max(-int64_t(range.lowest), int64_t(range.highest));
}

bool representable(int32_t value, int bits, Encoding encoding)
{
    const ValueRange range = valueRange(bits, encoding);
    return value >= range.lowest && value <= range.highest && (encoding != Encoding::OffsetBinary || value % 2 != 0);
}

uint32_t codeOf(int32_t value, int bits, Encoding encoding)
{
    switch (encoding) {
    case Encoding::Unsigned: return uint32_t(value);
    case Encoding::TwosComplement: return uint32_t(value) & ((1u << bits) - 1);
    case Encoding::OffsetBinary: return uint32_t((value + (1 << bits) - 1) / 2);
    }
    return 0;
}

std::string notRepresentable(int32_t value, int bits, Encoding encoding)
{
    const ValueRange range = valueRange(bits, encoding);
    return "value " + std::to_string(value) + " is not a " + std::to_string(bits) + "-bit " + nameOf(encoding)
        + " value (" + std::to_string(range.lowest) + " .. " + std::to_string(range.highest)
        + (encoding == Encoding::OffsetBinary ? ", odd" : "") + ")";
}

PlaneWeights planeWeights(int bits, Encoding encoding)
{
    PlaneWeights w;
    w.count = bits;
    for (int p = 0; p < bits; ++p) {
        w.shift[p] = encoding == Encoding::OffsetBinary ? p + 1 : p;
        w.negative[p] = encoding == Encoding::TwosComplement && p == bits - 1;
    }
    return w;
}

int64_t BitPlanes::planeWeight(int p) const
{
    const int64_t weight = int64_t(1) << p;
    if (encoding == Encoding::TwosComplement && p == bits - 1)
        return -weight;
    return encoding == Encoding::OffsetBinary ? 2 * weight : weight;
}

int64_t BitPlanes::offset() const
{
    return encoding == Encoding::OffsetBinary ? -((int64_t(1) << bits) - 1) : 0;
}

BitPlanes packBitPlanes(const int32_t* values, int rows, int depth, int bits, Encoding encoding)
{
    requireBits(bits);
    if (rows < 0 || depth < 0)
        throw ConfigError("bit-serial: negative matrix size");
    BitPlanes out;
    out.rows = rows;
    out.depth = depth;
    out.bits = bits;
    out.encoding = encoding;
    out.words = (depth + 63) / 64;
    out.data.assign(size_t(rows) * size_t(bits) * size_t(out.words), 0);
    out.rowPlaneSums.assign(size_t(rows), 0);
    for (int r = 0; r < rows; ++r) {
        int64_t sum = 0;
        for (int k = 0; k < depth; ++k) {
            const int32_t value = values[size_t(r) * size_t(depth) + size_t(k)];
            if (!representable(value, bits, encoding))
                throw ConfigError("bit-serial: at row " + std::to_string(r) + ", column " + std::to_string(k) + ", "
                                  + notRepresentable(value, bits, encoding));
            const uint32_t code = codeOf(value, bits, encoding);
            for (int p = 0; p < bits; ++p)
                if (code >> p & 1u) {
                    out.data[(size_t(r) * size_t(bits) + size_t(p)) * size_t(out.words) + size_t(k / 64)] |= uint64_t(1)
                        << (k % 64);
                    sum += out.planeWeight(p);
                }
        }
        out.rowPlaneSums[size_t(r)] = sum;
    }
    return out;
}

} // namespace quantscope::bitserial
