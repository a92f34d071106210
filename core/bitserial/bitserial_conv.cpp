#include "bitserial/bitserial_conv.h"

#include "bitserial/channel_bits.h"
#include "bitserial/parallel_chunks.h"
#include "bitserial/vector_clones.h"
#include "bitserial/window_words.h"
#include "common/error.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace quantscope::bitserial {
namespace {

/// ORs `value` (only its low `length` bits set, length <= 64) into a bit string at bit `bit`.
inline void orBitsAt(uint64_t* bits, size_t bit, uint64_t value, int length)
{
    const size_t word = bit >> 6;
    const unsigned shift = unsigned(bit & 63);
    bits[word] |= value << shift;
    if (shift != 0 && int(shift) + length > 64)
        bits[word + 1] |= value >> (64 - shift);
}

/// The input as zero-padded rows of channel bits: for each image, group, plane and padded row,
/// pixel x's channels at bits (x + padX) * groupChannels onwards.
struct PackedActivations {
    int bits = 0;
    int paddedHeight = 0;
    int rowWords = 0; ///< two spare words: a window's last word may start in the last one (window_words.h)
    std::vector<uint64_t> data;

    size_t rowOffset(size_t imageGroup, int plane, int paddedY) const
    {
        return ((imageGroup * size_t(bits) + size_t(plane)) * size_t(paddedHeight) + size_t(paddedY))
            * size_t(rowWords);
    }
    const uint64_t* row(size_t imageGroup, int plane, int paddedY) const
    {
        return data.data() + rowOffset(imageGroup, plane, paddedY);
    }
};

/// A chunk's bits of one row of pixels placed into a padded row where they fill whole lanes of
/// `Lane`'s width, lane `firstLane + x * laneStride` for pixel x: stores, not shifts (on a
/// little-endian machine a bit string's bit k is byte k / 8's bit k % 8).
template <typename Lane>
void storeLanes(uint64_t* row, const ChunkBits* from, int width, size_t firstLane, size_t laneStride)
{
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the bit strings' byte view assumes little endian");
    unsigned char* bytes = reinterpret_cast<unsigned char*>(row);
    for (int x = 0; x < width; ++x) {
        const Lane lane = Lane(from[x]);
        std::memcpy(bytes + (firstLane + size_t(x) * laneStride) * sizeof(Lane), &lane, sizeof lane);
    }
}

/// Places `length` channels' bits at bit `chunk` of each pixel's `channels` in a zero-padded row
/// (still zero there): stored where they fill whole lanes, OR-ed in otherwise.
void placeChunk(uint64_t* row, const ChunkBits* from, int width, int padX, int channels, int chunk, int length)
{
    if (channels % length == 0 && (length == 32 || length == 16 || length == 8)) { // whole lanes
        const size_t lanes = size_t(channels / length), first = size_t(padX) * lanes + size_t(chunk / length);
        if (length == 32)
            storeLanes<uint32_t>(row, from, width, first, lanes);
        else if (length == 16)
            storeLanes<uint16_t>(row, from, width, first, lanes);
        else
            storeLanes<uint8_t>(row, from, width, first, lanes);
        return;
    }
    for (int x = 0; x < width; ++x)
        orBitsAt(row, size_t(x + padX) * size_t(channels) + size_t(chunk), from[x], length);
}

/// `count` codes of the uniform quantizer: clamp(round-half-even(value / scale), lowest, highest),
/// in float as LibTorch computes `torch::round(x / scale).clamp(lo, hi)` (NaN becomes lowest).
QUANTSCOPE_VECTOR_CLONES void quantizeValues(const float* values, int count, const QuantizedInput& grid, int32_t* codes)
{
    for (int i = 0; i < count; ++i)
        codes[i] = int32_t(std::max(grid.lowest, std::min(std::nearbyint(values[i] / grid.scale), grid.highest)));
}

/// ConfigError naming the first input value outside `bits` bits of `encoding`.
[[noreturn]] void refuseActivations(const int32_t* input, const ConvGeometry& g, int bits, Encoding encoding)
{
    const ValueRange range = valueRange(bits, encoding);
    const size_t pixels = size_t(g.height) * size_t(g.width), count = size_t(g.batch) * size_t(g.channels) * pixels;
    for (size_t i = 0; i < count; ++i)
        if (input[i] < range.lowest || input[i] > range.highest)
            throw ConfigError("bit-serial convolution: input at image "
                              + std::to_string(i / pixels / size_t(g.channels)) + ", channel "
                              + std::to_string(i / pixels % size_t(g.channels)) + ", pixel "
                              + std::to_string(i % pixels) + ": " + notRepresentable(input[i], bits, encoding));
    throw ConfigError("bit-serial convolution: an input value is outside its width"); // not reached
}

/// The input packed; ConfigError naming a value outside `bits` bits of `encoding`.
PackedActivations packActivations(const ConvInput& input, const ConvGeometry& g, int bits, Encoding encoding,
                                  KernelPath path, const ParallelFor& parallel)
{
    const uint32_t bias = encoding == Encoding::TwosComplement ? 1u << (bits - 1) : 0u;
    const ChannelBitsGather gatherChannelBits = channelBitsGather(path);
    std::atomic<bool> allValid{true}; // the workers must not throw: refused after they are done
    PackedActivations packed;
    packed.bits = bits;
    packed.paddedHeight = g.height + 2 * g.padY;
    const int groupChannels = g.groupChannels();
    packed.rowWords = int((int64_t(g.width + 2 * g.padX) * groupChannels + 63) / 64) + 2;
    const size_t imageGroups = size_t(g.batch) * size_t(g.groups);
    packed.data.assign(imageGroups * size_t(bits) * size_t(packed.paddedHeight) * size_t(packed.rowWords), 0);
    const size_t pixels = size_t(g.height) * size_t(g.width);
    // Unsigned and two's complement codes are the value's low bits: planes 0 .. bits - 1 of the value.
    // One image and group per work item (long loops over its pixels vectorise well); each writes
    // only its own padded rows.
    parallel(int(imageGroups), [&](int begin, int end) {
        std::vector<ChunkBits> pixelPlanes(pixels * size_t(bits)); // plane, pixel: a chunk's channel bits
        std::vector<uint32_t> seen(pixels);
        std::vector<int32_t> codes(input.values ? size_t(std::min(kChunkChannels, groupChannels)) * pixels : 0);
        for (int item = begin; item < end; ++item) {
            const size_t imageGroup = size_t(item);
            const size_t n = imageGroup / size_t(g.groups), group = imageGroup % size_t(g.groups);
            const size_t first = (n * size_t(g.channels) + group * size_t(groupChannels)) * pixels;
            for (int chunk = 0; chunk < groupChannels; chunk += kChunkChannels) {
                const int length = std::min(kChunkChannels, groupChannels - chunk);
                const int32_t* planes = input.codes + first + size_t(chunk) * pixels;
                if (input.values) { // quantized here
                    quantizeValues(input.values + first + size_t(chunk) * pixels, int(size_t(length) * pixels),
                                   input.grid, codes.data());
                    planes = codes.data();
                }
                if (!gatherChannelBits(planes, pixels, length, int(pixels), bits, bias, pixelPlanes.data(),
                                       seen.data()))
                    allValid.store(false, std::memory_order_relaxed);
                for (int p = 0; p < bits; ++p)
                    for (int y = 0; y < g.height; ++y) {
                        uint64_t* row = packed.data.data() + packed.rowOffset(imageGroup, p, y + g.padY);
                        const ChunkBits* from = pixelPlanes.data() + size_t(p) * pixels + size_t(y) * size_t(g.width);
                        placeChunk(row, from, g.width, g.padX, groupChannels, chunk, length);
                    }
            }
        }
    });
    if (!allValid.load())
        refuseActivations(input.codes, g, bits, encoding); // (quantized values always fit: see checkGrid)
    return packed;
}

/// ConfigError unless every code `grid` can produce has an `activationBits`-bit code.
void checkGrid(const QuantizedInput& grid, int bits, Encoding encoding)
{
    const ValueRange range = valueRange(bits, encoding);
    if (!(grid.scale > 0) || grid.lowest > grid.highest || grid.lowest < float(range.lowest)
        || grid.highest > float(range.highest) || grid.lowest != std::nearbyint(grid.lowest)
        || grid.highest != std::nearbyint(grid.highest))
        throw ConfigError("bit-serial convolution: the input grid (scale " + std::to_string(grid.scale) + ", codes "
                          + std::to_string(grid.lowest) + " .. " + std::to_string(grid.highest) + ") does not fit "
                          + std::to_string(bits) + " bits");
}

/// One output row of channel `channel`: `sum * scale + shift`, then max(0, .) with relu.
QUANTSCOPE_VECTOR_CLONES void applyEpilogue(const int32_t* sums, int count, const ConvOutput& output, int channel,
                                            float* to)
{
    const float scale = output.scale[channel], shift = output.shift ? output.shift[channel] : 0.0f;
    if (output.relu)
        for (int i = 0; i < count; ++i)
            to[i] = std::max(0.0f, float(sums[i]) * scale + shift);
    else
        for (int i = 0; i < count; ++i)
            to[i] = float(sums[i]) * scale + shift;
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

PackedConvWeights packConvWeights(const int32_t* weights, const ConvGeometry& geometry, int bits, Encoding encoding)
{
    geometry.validate();
    valueRange(bits, encoding); // checks the width
    const ConvGeometry& g = geometry;
    PackedConvWeights packed;
    packed.geometry = g;
    packed.bits = bits;
    packed.encoding = encoding;
    const int window = g.kernelHeight * g.kernelWidth, groupChannels = g.groupChannels();
    packed.segmentWords = (g.kernelWidth * groupChannels + 63) / 64;
    packed.words = g.kernelHeight * packed.segmentWords;
    packed.outChannelsPadded = (g.groupOutChannels() + 3) / 4 * 4;
    const size_t columns = size_t(packed.outChannelsPadded);
    packed.data.assign(size_t(g.groups) * size_t(bits) * size_t(packed.words) * columns, 0);
    for (int o = 0; o < g.outChannels; ++o) {
        const int group = o / g.groupOutChannels(), local = o % g.groupOutChannels();
        uint64_t* groupData = packed.data.data() + size_t(group) * size_t(bits) * size_t(packed.words) * columns;
        for (int c = 0; c < groupChannels; ++c)
            for (int position = 0; position < window; ++position) {
                const int32_t value =
                    weights[(size_t(o) * size_t(groupChannels) + size_t(c)) * size_t(window) + size_t(position)];
                if (!representable(value, bits, encoding))
                    throw ConfigError("bit-serial convolution: weight of output channel " + std::to_string(o)
                                      + ", input channel " + std::to_string(c) + ": "
                                      + notRepresentable(value, bits, encoding));
                const uint32_t code = codeOf(value, bits, encoding);
                const int ky = position / g.kernelWidth, kx = position % g.kernelWidth;
                const size_t k = size_t(ky * packed.segmentWords) * 64 + size_t(kx * groupChannels + c); // bit
                for (int p = 0; p < bits; ++p)
                    if (code >> p & 1u)
                        groupData[(size_t(p) * size_t(packed.words) + k / 64) * columns + size_t(local)] |= uint64_t(1)
                            << (k % 64);
            }
    }
    return packed;
}

void bitSerialConv2d(const ConvInput& input, const PackedConvWeights& weights, int activationBits,
                     Encoding activationEncoding, KernelPath path, const ConvOutput& output, int threads,
                     const ParallelFor& parallelFor)
{
    const ParallelFor parallel = parallelFor
        ? parallelFor
        : [threads](int count, const std::function<void(int, int)>& body) { parallelChunks(count, threads, body); };
    const ConvGeometry& g = weights.geometry;
    if (activationEncoding == Encoding::OffsetBinary)
        throw ConfigError("bit-serial convolution: activations must be unsigned or two's complement, whose codes "
                          "hold the padding's 0");
    const int64_t depth = int64_t(g.groupChannels()) * g.kernelHeight * g.kernelWidth;
    if (largestMagnitude(activationBits, activationEncoding) * largestMagnitude(weights.bits, weights.encoding) * depth
        > std::numeric_limits<int32_t>::max())
        throw ConfigError("bit-serial convolution: depth " + std::to_string(depth)
                          + " at these widths could overflow 32-bit sums");
    const PopcountTileKernel kernel = popcountTileKernel(path);
    if ((input.codes == nullptr) == (input.values == nullptr) || (output.sums == nullptr) == (output.values == nullptr))
        throw ConfigError("bit-serial convolution: give exactly one input and one output form");
    if (input.values)
        checkGrid(input.grid, activationBits, activationEncoding);
    const PackedActivations packed = packActivations(input, g, activationBits, activationEncoding, path, parallel);
    const int outH = g.outHeight(), outW = g.outWidth(), groupOut = g.groupOutChannels();
    const int groupChannels = g.groupChannels(), segmentBits = g.kernelWidth * groupChannels;
    // A window row's words: all ones, then the last word's bits that belong to the row (the bits
    // after it are the next pixels', which the activation sums must not count).
    std::vector<uint64_t> segmentMask(size_t(weights.segmentWords), ~uint64_t(0));
    if (segmentBits % 64 != 0)
        segmentMask.back() = (uint64_t(1) << (segmentBits % 64)) - 1;
    const size_t outPixels = size_t(outH) * size_t(outW);
    const size_t stride = size_t((outW + kTilePixels - 1) / kTilePixels * kTilePixels); // pixels per window row
    const size_t windowRows = size_t(activationBits) * size_t(weights.words);
    const size_t step = size_t(g.strideX) * size_t(groupChannels); // bits from one window to the next
    const WindowWordGather gatherWindowWords = windowWordGather(path, step);

    // One output row of one image and group per work item.
    const int rows = g.batch * g.groups * outH;
    parallel(rows, [&](int begin, int end) {
        // The output row's windows (a bit-level im2col), pixel-minor: [plane][word][pixel].
        std::vector<uint64_t> windows(windowRows * stride, 0);
        std::vector<int32_t> rowSums(output.values ? size_t(groupOut) * size_t(outW) : 0); // before the epilogue
        PopcountTile tile;
        tile.pixelStride = stride;
        tile.words = weights.words;
        tile.outChannels = groupOut;
        tile.outChannelsPadded = weights.outChannelsPadded;
        tile.activationPlanes = planeWeights(activationBits, activationEncoding);
        tile.weightPlanes = planeWeights(weights.bits, weights.encoding);
        // Offset-binary weights w = 2u - (2^b - 1): the planes give the 2u part, the input sum the rest.
        tile.weightOffset = weights.encoding == Encoding::OffsetBinary ? -((int64_t(1) << weights.bits) - 1) : 0;
        tile.outStride = output.values ? size_t(outW) : outPixels;
        for (int row = begin; row < end; ++row) {
            const int oy = row % outH, group = row / outH % g.groups, n = row / outH / g.groups;
            const size_t imageGroup = size_t(n) * size_t(g.groups) + size_t(group);
            for (int p = 0; p < activationBits; ++p)
                for (int ky = 0; ky < g.kernelHeight; ++ky) {
                    const uint64_t* from = packed.row(imageGroup, p, oy * g.strideY + ky);
                    for (int t = 0; t < weights.segmentWords; ++t)
                        gatherWindowWords(from, size_t(t) * 64, step, outW, segmentMask[size_t(t)],
                                          windows.data()
                                              + (size_t(p * weights.words) + size_t(ky * weights.segmentWords + t))
                                                  * stride);
                }
            tile.weights = weights.group(group);
            const size_t rowStart =
                (size_t(n) * size_t(g.outChannels) + size_t(group * groupOut)) * outPixels + size_t(oy) * size_t(outW);
            int32_t* target = output.values ? rowSums.data() : output.sums + rowStart;
            for (int first = 0; first < outW; first += kTilePixels) {
                tile.activations = windows.data() + first;
                tile.pixels = std::min(kTilePixels, outW - first);
                tile.out = target + first;
                kernel(tile);
            }
            if (output.values)
                for (int o = 0; o < groupOut; ++o)
                    applyEpilogue(rowSums.data() + size_t(o) * size_t(outW), outW, output, group * groupOut + o,
                                  output.values + rowStart + size_t(o) * outPixels);
        }
    });
}

std::vector<int32_t> bitSerialConv2d(const int32_t* input, const PackedConvWeights& weights, int activationBits,
                                     Encoding activationEncoding, KernelPath path, int threads)
{
    const ConvGeometry& g = weights.geometry;
    std::vector<int32_t> out(size_t(g.batch) * size_t(g.outChannels) * size_t(g.outHeight()) * size_t(g.outWidth()));
    ConvInput in;
    in.codes = input;
    ConvOutput sums;
    sums.sums = out.data();
    bitSerialConv2d(in, weights, activationBits, activationEncoding, path, sums, threads);
    return out;
}

} // namespace quantscope::bitserial
