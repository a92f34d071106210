#include "bitserial/bitserial_gemm.h"

#include "bitserial/parallel_chunks.h"
#include "common/error.h"

#include <limits>
#include <string>

namespace quantscope::bitserial {
namespace {

/// One GEMM's rows [begin, end) into out (row stride w.rows).
void gemmRows(const BitPlanes& a, const BitPlanes& w, AndPopcount count, int begin, int end, int32_t* out)
{
    const int64_t offsetA = a.offset(), offsetW = w.offset();
    const int64_t constant = int64_t(a.depth) * offsetA * offsetW;
    for (int i = begin; i < end; ++i) {
        const int64_t rowTerm = offsetW * a.rowPlaneSums[size_t(i)] + constant;
        for (int j = 0; j < w.rows; ++j) {
            int64_t sum = rowTerm + offsetA * w.rowPlaneSums[size_t(j)];
            for (int p = 0; p < a.bits; ++p) {
                const uint64_t* planeA = a.plane(i, p);
                int64_t inner = 0;
                for (int q = 0; q < w.bits; ++q)
                    inner += w.planeWeight(q) * int64_t(count(planeA, w.plane(j, q), a.words));
                sum += a.planeWeight(p) * inner;
            }
            out[size_t(i) * size_t(w.rows) + size_t(j)] = int32_t(sum);
        }
    }
}

void requireCompatible(const BitPlanes& a, const BitPlanes& w)
{
    if (a.depth != w.depth)
        throw ConfigError("bit-serial product: depths differ (" + std::to_string(a.depth) + " and "
                          + std::to_string(w.depth) + ")");
    if (largestMagnitude(a.bits, a.encoding) * largestMagnitude(w.bits, w.encoding) * int64_t(a.depth)
        > std::numeric_limits<int32_t>::max())
        throw ConfigError("bit-serial product: depth " + std::to_string(a.depth)
                          + " at these widths could overflow 32-bit sums");
}

} // namespace

std::vector<int32_t> bitSerialGemm(const BitPlanes& a, const BitPlanes& w, KernelPath path, int threads)
{
    requireCompatible(a, w);
    const AndPopcount count = andPopcountKernel(path);
    std::vector<int32_t> out(size_t(a.rows) * size_t(w.rows));
    parallelChunks(a.rows, threads, [&](int begin, int end) { gemmRows(a, w, count, begin, end, out.data()); });
    return out;
}

} // namespace quantscope::bitserial
