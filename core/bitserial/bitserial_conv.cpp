#include "bitserial/bitserial_conv.h"

#include "bitserial/parallel_chunks.h"
#include "common/error.h"

#include <limits>
#include <string>

namespace quantscope::bitserial {
namespace {

/// The input packed along channels: for each image, group and pixel, `bits` planes of `words`
/// words, and the sum of the group's values at that pixel (the correction term offset-binary
/// weights need).
struct PackedActivations {
    int words = 0;
    int bits = 0;
    std::vector<uint64_t> data; ///< image, group, y, x, plane, word
    std::vector<int64_t> sums;  ///< image, group, y, x
};

PackedActivations packActivations(const int32_t* input, const ConvGeometry& g, int bits, Encoding encoding)
{
    PackedActivations packed;
    packed.bits = bits;
    packed.words = (g.groupChannels() + 63) / 64;
    const size_t pixels = size_t(g.height) * size_t(g.width), block = size_t(bits) * size_t(packed.words);
    // Unsigned and two's complement codes are the value's low bits (the caller refused offset binary).
    const ValueRange range = valueRange(bits, encoding);
    const uint32_t codeMask = (1u << bits) - 1;
    packed.data.assign(size_t(g.batch) * size_t(g.groups) * pixels * block, 0);
    packed.sums.assign(size_t(g.batch) * size_t(g.groups) * pixels, 0);
    for (int n = 0; n < g.batch; ++n)
        for (int c = 0; c < g.channels; ++c) {
            const int group = c / g.groupChannels(), local = c % g.groupChannels();
            const int32_t* plane = input + (size_t(n) * size_t(g.channels) + size_t(c)) * pixels;
            const size_t base = (size_t(n) * size_t(g.groups) + size_t(group)) * pixels;
            const uint64_t bit = uint64_t(1) << (local % 64);
            for (size_t pixel = 0; pixel < pixels; ++pixel) {
                const int32_t value = plane[pixel];
                if (value < range.lowest || value > range.highest)
                    throw ConfigError("bit-serial convolution: input at image " + std::to_string(n) + ", channel "
                                      + std::to_string(c) + ", pixel " + std::to_string(pixel) + ": "
                                      + notRepresentable(value, bits, encoding));
                packed.sums[base + pixel] += value;
                uint64_t* words = packed.data.data() + (base + pixel) * block + size_t(local / 64);
                for (uint32_t code = uint32_t(value) & codeMask; code != 0; code &= code - 1) // set bits only
                    words[size_t(__builtin_ctz(code)) * size_t(packed.words)] |= bit;
            }
        }
    return packed;
}

} // namespace

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

size_t PackedConvWeights::offset(int group, int ky, int kx) const
{
    const size_t perPosition = size_t(bits) * size_t(words) * size_t(outChannelsPadded);
    const size_t position =
        (size_t(group) * size_t(geometry.kernelHeight) + size_t(ky)) * size_t(geometry.kernelWidth) + size_t(kx);
    return position * perPosition;
}

PackedConvWeights packConvWeights(const int32_t* weights, const ConvGeometry& geometry, int bits, Encoding encoding)
{
    geometry.validate();
    valueRange(bits, encoding); // checks the width
    const ConvGeometry& g = geometry;
    PackedConvWeights packed;
    packed.geometry = g;
    packed.bits = bits;
    packed.encoding = encoding;
    packed.words = (g.groupChannels() + 63) / 64;
    packed.outChannelsPadded = (g.groupOutChannels() + 7) / 8 * 8;
    const size_t perPosition = size_t(bits) * size_t(packed.words) * size_t(packed.outChannelsPadded);
    packed.data.assign(size_t(g.groups) * size_t(g.kernelHeight) * size_t(g.kernelWidth) * perPosition, 0);
    for (int o = 0; o < g.outChannels; ++o)
        for (int c = 0; c < g.groupChannels(); ++c)
            for (int ky = 0; ky < g.kernelHeight; ++ky)
                for (int kx = 0; kx < g.kernelWidth; ++kx) {
                    const int32_t value =
                        weights[((size_t(o) * size_t(g.groupChannels()) + size_t(c)) * size_t(g.kernelHeight)
                                 + size_t(ky))
                                    * size_t(g.kernelWidth)
                                + size_t(kx)];
                    if (!representable(value, bits, encoding))
                        throw ConfigError("bit-serial convolution: weight of output channel " + std::to_string(o)
                                          + ", input channel " + std::to_string(c) + ": "
                                          + notRepresentable(value, bits, encoding));
                    const uint32_t code = codeOf(value, bits, encoding);
                    const int group = o / g.groupOutChannels(), local = o % g.groupOutChannels();
                    uint64_t* position = packed.data.data() + packed.offset(group, ky, kx);
                    for (int p = 0; p < bits; ++p)
                        if (code >> p & 1u)
                            position[(size_t(p) * size_t(packed.words) + size_t(c / 64))
                                         * size_t(packed.outChannelsPadded)
                                     + size_t(local)] |= uint64_t(1) << (c % 64);
                }
    return packed;
}

std::vector<int32_t> bitSerialConv2d(const int32_t* input, const PackedConvWeights& weights, int activationBits,
                                     Encoding activationEncoding, KernelPath path, int threads)
{
    const ConvGeometry& g = weights.geometry;
    if (activationEncoding == Encoding::OffsetBinary)
        throw ConfigError("bit-serial convolution: activations must be unsigned or two's complement, whose codes "
                          "hold the padding's 0");
    const int64_t depth = int64_t(g.groupChannels()) * g.kernelHeight * g.kernelWidth;
    if (largestMagnitude(activationBits, activationEncoding) * largestMagnitude(weights.bits, weights.encoding) * depth
        > std::numeric_limits<int32_t>::max())
        throw ConfigError("bit-serial convolution: depth " + std::to_string(depth)
                          + " at these widths could overflow 32-bit sums");
    const ConvPixelKernel kernel = convPixelKernel(path);
    const PackedActivations packed = packActivations(input, g, activationBits, activationEncoding);
    const int outH = g.outHeight(), outW = g.outWidth(), groupOut = g.groupOutChannels();
    const size_t inPixels = size_t(g.height) * size_t(g.width), outPixels = size_t(outH) * size_t(outW);
    const size_t block = size_t(activationBits) * size_t(packed.words);
    const int64_t weightOffset = weights.encoding == Encoding::OffsetBinary ? -((int64_t(1) << weights.bits) - 1) : 0;
    std::vector<int32_t> out(size_t(g.batch) * size_t(g.outChannels) * outPixels);

    // One output row of one image and group per work item.
    const int rows = g.batch * g.groups * outH;
    parallelChunks(rows, threads, [&](int begin, int end) {
        const int positionsMax = g.kernelHeight * g.kernelWidth;
        std::vector<const uint64_t*> activationRows(static_cast<size_t>(positionsMax));
        std::vector<const uint64_t*> weightRows(static_cast<size_t>(positionsMax));
        std::vector<int64_t> sums(size_t(weights.outChannelsPadded));
        ConvPixelTask task;
        task.activations = activationRows.data();
        task.weights = weightRows.data();
        task.words = packed.words;
        task.outChannelsPadded = weights.outChannelsPadded;
        task.activationPlanes = planeWeights(activationBits, activationEncoding);
        task.weightPlanes = planeWeights(weights.bits, weights.encoding);
        task.out = sums.data();
        for (int row = begin; row < end; ++row) {
            const int oy = row % outH, group = row / outH % g.groups, n = row / outH / g.groups;
            const size_t imageGroup = size_t(n) * size_t(g.groups) + size_t(group);
            for (int ox = 0; ox < outW; ++ox) {
                int positions = 0;
                int64_t inputSum = 0;
                for (int ky = 0; ky < g.kernelHeight; ++ky)
                    for (int kx = 0; kx < g.kernelWidth; ++kx) {
                        const int y = oy * g.strideY - g.padY + ky, x = ox * g.strideX - g.padX + kx;
                        if (y < 0 || y >= g.height || x < 0 || x >= g.width)
                            continue; // padding: zeros contribute nothing
                        const size_t pixel = imageGroup * inPixels + size_t(y) * size_t(g.width) + size_t(x);
                        activationRows[size_t(positions)] = packed.data.data() + pixel * block;
                        weightRows[size_t(positions)] = weights.at(group, ky, kx);
                        inputSum += packed.sums[pixel];
                        ++positions;
                    }
                task.positions = positions;
                kernel(task);
                for (int o = 0; o < groupOut; ++o)
                    out[(size_t(n) * size_t(g.outChannels) + size_t(group * groupOut + o)) * outPixels
                        + size_t(oy) * size_t(outW) + size_t(ox)] = int32_t(sums[size_t(o)] + weightOffset * inputSum);
            }
        }
    });
    return out;
}

} // namespace quantscope::bitserial
