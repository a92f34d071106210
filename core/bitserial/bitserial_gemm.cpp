#include "bitserial/bitserial_gemm.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <thread>

namespace quantscope::bitserial {
namespace {

/// Runs body(begin, end) over [0, count) in up to `threads` contiguous chunks.
template <typename Body> void parallelChunks(int count, int threads, const Body& body)
{
    const int chunks = std::max(1, std::min(threads, count));
    if (chunks == 1) {
        body(0, count);
        return;
    }
    std::vector<std::thread> workers;
    for (int c = 1; c < chunks; ++c)
        workers.emplace_back(
            [&, c] { body(int(int64_t(count) * c / chunks), int(int64_t(count) * (c + 1) / chunks)); });
    body(0, int(int64_t(count) / chunks));
    for (std::thread& worker : workers)
        worker.join();
}

int64_t largestMagnitude(const BitPlanes& m)
{
    const ValueRange range = valueRange(m.bits, m.encoding);
    return std::max(std::abs(int64_t(range.lowest)), std::abs(int64_t(range.highest)));
}

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
    if (largestMagnitude(a) * largestMagnitude(w) * int64_t(a.depth) > std::numeric_limits<int32_t>::max())
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

void ConvGeometry::validate() const
{
    const auto positive = [](int v, const char* name) {
        if (v < 1)
            throw ConfigError(std::string("convolution: ") + name + " must be at least 1, got " + std::to_string(v));
    };
    positive(batch, "batch");
    positive(channels, "channels");
    positive(height, "height");
    positive(width, "width");
    positive(outChannels, "output channels");
    positive(kernelHeight, "kernel height");
    positive(kernelWidth, "kernel width");
    positive(strideY, "stride");
    positive(strideX, "stride");
    positive(groups, "groups");
    if (padY < 0 || padX < 0)
        throw ConfigError("convolution: padding must not be negative");
    if (channels % groups != 0 || outChannels % groups != 0)
        throw ConfigError("convolution: " + std::to_string(channels) + " input and " + std::to_string(outChannels)
                          + " output channels do not divide into " + std::to_string(groups) + " groups");
    if (kernelHeight > height + 2 * padY || kernelWidth > width + 2 * padX)
        throw ConfigError("convolution: the kernel is larger than the padded input");
}

PackedConvWeights packConvWeights(const int32_t* weights, const ConvGeometry& geometry, int bits, Encoding encoding)
{
    geometry.validate();
    PackedConvWeights packed;
    packed.geometry = geometry;
    const int perGroup = geometry.outChannels / geometry.groups;
    for (int g = 0; g < geometry.groups; ++g)
        packed.groups.push_back(packBitPlanes(weights + size_t(g) * size_t(perGroup) * size_t(geometry.depth()),
                                              perGroup, geometry.depth(), bits, encoding));
    return packed;
}

std::vector<int32_t> bitSerialConv2d(const int32_t* input, const PackedConvWeights& weights, int activationBits,
                                     Encoding activationEncoding, KernelPath path, int threads)
{
    const ConvGeometry& g = weights.geometry;
    if (activationEncoding == Encoding::OffsetBinary)
        throw ConfigError("bit-serial convolution: activations must be unsigned or two's complement, whose codes "
                          "hold the padding's 0");
    const int outH = g.outHeight(), outW = g.outWidth(), pixels = outH * outW;
    const int groupChannels = g.channels / g.groups, groupOut = g.outChannels / g.groups, depth = g.depth();
    std::vector<int32_t> out(size_t(g.batch) * size_t(g.outChannels) * size_t(pixels));
    // Images over threads when there are enough of them, otherwise each product's rows.
    const int imageThreads = std::min(threads, g.batch), rowThreads = std::max(1, threads / std::max(1, imageThreads));
    parallelChunks(g.batch, imageThreads, [&](int begin, int end) {
        std::vector<int32_t> columns(size_t(pixels) * size_t(depth));
        for (int n = begin; n < end; ++n)
            for (int group = 0; group < g.groups; ++group) {
                // im2col: row = output pixel, column = (channel, ky, kx) as the weights' OIHW order.
                const int32_t* image = input
                    + (size_t(n) * size_t(g.channels) + size_t(group * groupChannels)) * size_t(g.height)
                        * size_t(g.width);
                for (int oy = 0; oy < outH; ++oy)
                    for (int ox = 0; ox < outW; ++ox) {
                        int32_t* row = columns.data() + size_t(oy * outW + ox) * size_t(depth);
                        for (int c = 0; c < groupChannels; ++c)
                            for (int ky = 0; ky < g.kernelHeight; ++ky)
                                for (int kx = 0; kx < g.kernelWidth; ++kx) {
                                    const int y = oy * g.strideY - g.padY + ky, x = ox * g.strideX - g.padX + kx;
                                    *row++ = y < 0 || y >= g.height || x < 0 || x >= g.width
                                        ? 0
                                        : image[(size_t(c) * size_t(g.height) + size_t(y)) * size_t(g.width)
                                                + size_t(x)];
                                }
                    }
                const BitPlanes packed =
                    packBitPlanes(columns.data(), pixels, depth, activationBits, activationEncoding);
                const std::vector<int32_t> product =
                    bitSerialGemm(packed, weights.groups[size_t(group)], path, rowThreads);
                for (int oc = 0; oc < groupOut; ++oc) {
                    int32_t* plane = out.data()
                        + (size_t(n) * size_t(g.outChannels) + size_t(group * groupOut + oc)) * size_t(pixels);
                    for (int pixel = 0; pixel < pixels; ++pixel)
                        plane[pixel] = product[size_t(pixel) * size_t(groupOut) + size_t(oc)];
                }
            }
    });
    return out;
}

} // namespace quantscope::bitserial
