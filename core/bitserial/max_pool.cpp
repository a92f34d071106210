#include "bitserial/max_pool.h"
#include "bitserial/vector_clones.h"

#include <algorithm>
#include <limits>

namespace quantscope::bitserial {
namespace {

/// One output row of 2x2, stride 2 windows without padding: the common case, vectorised.
QUANTSCOPE_VECTOR_CLONES void maxPoolRow2x2(const float* top, const float* bottom, int outWidth, float* out)
{
    for (int x = 0; x < outWidth; ++x)
        out[x] = std::max(std::max(top[2 * x], top[2 * x + 1]), std::max(bottom[2 * x], bottom[2 * x + 1]));
}

} // namespace

void maxPool2d(const float* in, int height, int width, const PoolWindow& w, float* out, std::size_t begin,
               std::size_t end)
{
    const int outHeight = w.outSize(height), outWidth = w.outSize(width);
    const std::size_t inPlane = std::size_t(height) * std::size_t(width);
    const std::size_t outPlane = std::size_t(outHeight) * std::size_t(outWidth);
    for (std::size_t plane = begin; plane < end; ++plane) {
        const float* from = in + plane * inPlane;
        float* to = out + plane * outPlane;
        for (int oy = 0; oy < outHeight; ++oy) {
            if (w.kernel == 2 && w.stride == 2 && w.padding == 0) {
                maxPoolRow2x2(from + std::size_t(2 * oy) * std::size_t(width),
                              from + std::size_t(2 * oy + 1) * std::size_t(width), outWidth,
                              to + std::size_t(oy) * std::size_t(outWidth));
                continue;
            }
            const int y0 = std::max(0, oy * w.stride - w.padding);
            const int y1 = std::min(height, oy * w.stride - w.padding + w.kernel);
            for (int ox = 0; ox < outWidth; ++ox) {
                const int x0 = std::max(0, ox * w.stride - w.padding);
                const int x1 = std::min(width, ox * w.stride - w.padding + w.kernel);
                float best = -std::numeric_limits<float>::infinity();
                for (int y = y0; y < y1; ++y)
                    for (int x = x0; x < x1; ++x)
                        best = std::max(best, from[std::size_t(y) * std::size_t(width) + std::size_t(x)]);
                to[std::size_t(oy) * std::size_t(outWidth) + std::size_t(ox)] = best;
            }
        }
    }
}

} // namespace quantscope::bitserial
