#include "bitserial/bitserial_conv.h"
#include "bitserial/bitserial_gemm.h"
#include "common/error.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

using namespace quantscope;
using namespace quantscope::bitserial;

namespace {

std::vector<int32_t> randomValues(size_t count, int bits, Encoding encoding, std::mt19937& rng)
{
    const ValueRange range = valueRange(bits, encoding);
    std::uniform_int_distribution<int32_t> pick(range.lowest, range.highest);
    std::vector<int32_t> values(count);
    for (int32_t& v : values) {
        v = pick(rng);
        if (encoding == Encoding::OffsetBinary && v % 2 == 0)
            v += v < range.highest ? 1 : -1; // odd values only
    }
    // The extremes, where sign planes and offsets matter most.
    if (count >= 2) {
        values[0] = range.lowest;
        values[count - 1] = range.highest;
    }
    return values;
}

std::vector<int32_t> referenceGemm(const std::vector<int32_t>& a, const std::vector<int32_t>& w, int rows, int cols,
                                   int depth)
{
    std::vector<int32_t> out(size_t(rows) * size_t(cols));
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) {
            int64_t sum = 0;
            for (int k = 0; k < depth; ++k)
                sum += int64_t(a[size_t(i * depth + k)]) * w[size_t(j * depth + k)];
            out[size_t(i * cols + j)] = int32_t(sum);
        }
    return out;
}

std::vector<int32_t> referenceConv(const std::vector<int32_t>& input, const std::vector<int32_t>& weights,
                                   const ConvGeometry& g)
{
    const int outH = g.outHeight(), outW = g.outWidth();
    const int groupChannels = g.channels / g.groups, groupOut = g.outChannels / g.groups;
    std::vector<int32_t> out(size_t(g.batch * g.outChannels * outH * outW));
    for (int n = 0; n < g.batch; ++n)
        for (int o = 0; o < g.outChannels; ++o)
            for (int oy = 0; oy < outH; ++oy)
                for (int ox = 0; ox < outW; ++ox) {
                    int64_t sum = 0;
                    const int group = o / groupOut;
                    for (int c = 0; c < groupChannels; ++c)
                        for (int ky = 0; ky < g.kernelHeight; ++ky)
                            for (int kx = 0; kx < g.kernelWidth; ++kx) {
                                const int y = oy * g.strideY - g.padY + ky, x = ox * g.strideX - g.padX + kx;
                                if (y < 0 || y >= g.height || x < 0 || x >= g.width)
                                    continue;
                                const int channel = group * groupChannels + c;
                                sum += int64_t(input[size_t(((n * g.channels + channel) * g.height + y) * g.width + x)])
                                    * weights[size_t(((o * groupChannels + c) * g.kernelHeight + ky) * g.kernelWidth
                                                     + kx)];
                            }
                    out[size_t(((n * g.outChannels + o) * outH + oy) * outW + ox)] = int32_t(sum);
                }
    return out;
}

} // namespace

TEST(BitPlanes, ValuesRoundTripThroughTheirPlanes)
{
    std::mt19937 rng(1);
    for (Encoding encoding : {Encoding::Unsigned, Encoding::TwosComplement, Encoding::OffsetBinary})
        for (int bits = 1; bits <= 8; ++bits) {
            const std::vector<int32_t> values = randomValues(3 * 70, bits, encoding, rng);
            const BitPlanes planes = packBitPlanes(values.data(), 3, 70, bits, encoding);
            ASSERT_EQ(planes.words, 2);
            for (int r = 0; r < 3; ++r)
                for (int k = 0; k < 70; ++k) {
                    int64_t value = planes.offset();
                    for (int p = 0; p < bits; ++p)
                        value += planes.planeWeight(p) * int64_t(planes.plane(r, p)[k / 64] >> (k % 64) & 1u);
                    EXPECT_EQ(value, values[size_t(r * 70 + k)]) << bits << " bits, row " << r << ", column " << k;
                }
        }
    EXPECT_EQ(valueRange(1, Encoding::OffsetBinary).lowest, -1); // binary weights {-1, 1}
    EXPECT_EQ(valueRange(4, Encoding::TwosComplement).lowest, -8);
}

TEST(BitPlanes, ValuesOutsideTheWidthAreRefusedWithTheirPlace)
{
    const std::vector<int32_t> values = {0, 1, 4};
    try {
        packBitPlanes(values.data(), 1, 3, 2, Encoding::Unsigned);
        FAIL() << "4 does not fit 2 unsigned bits";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("at row 0, column 2, value 4 is not a 2-bit unsigned value (0 .. 3)"),
                  std::string::npos)
            << e.what();
    }
    const std::vector<int32_t> even = {2};
    EXPECT_THROW(packBitPlanes(even.data(), 1, 1, 3, Encoding::OffsetBinary), ConfigError);
    EXPECT_THROW(packBitPlanes(values.data(), 1, 3, 9, Encoding::Unsigned), ConfigError);
}

TEST(BitSerialGemm, EqualsIntegerProductsAtEveryWidthPairOnEveryPath)
{
    std::mt19937 rng(7);
    const int rows = 5, cols = 3;
    for (KernelPath path : supportedKernelPaths())
        for (int depth : {1, 63, 130, 611}) // one word, a partial word, tails after 2 and 9 words
            for (Encoding activationEncoding : {Encoding::Unsigned, Encoding::TwosComplement})
                for (Encoding weightEncoding : {Encoding::TwosComplement, Encoding::OffsetBinary})
                    for (int activationBits = 1; activationBits <= 8; ++activationBits)
                        for (int weightBits = 1; weightBits <= 8; ++weightBits) {
                            const auto a = randomValues(size_t(rows * depth), activationBits, activationEncoding, rng);
                            const auto w = randomValues(size_t(cols * depth), weightBits, weightEncoding, rng);
                            const auto product = bitSerialGemm(
                                packBitPlanes(a.data(), rows, depth, activationBits, activationEncoding),
                                packBitPlanes(w.data(), cols, depth, weightBits, weightEncoding), path, 2);
                            ASSERT_EQ(product, referenceGemm(a, w, rows, cols, depth))
                                << kernelPathName(path) << ", depth " << depth << ", W" << weightBits << "A"
                                << activationBits;
                        }
}

TEST(BitSerialGemm, RefusesMismatchedDepthsAndOverflow)
{
    const std::vector<int32_t> values(300, 1);
    const BitPlanes a = packBitPlanes(values.data(), 1, 300, 8, Encoding::Unsigned);
    const BitPlanes w = packBitPlanes(values.data(), 1, 200, 8, Encoding::TwosComplement);
    EXPECT_THROW(bitSerialGemm(a, w, KernelPath::Portable), ConfigError);
    const std::vector<int32_t> deep(70000, 1);
    const BitPlanes deepA = packBitPlanes(deep.data(), 1, 70000, 8, Encoding::Unsigned);
    const BitPlanes deepW = packBitPlanes(deep.data(), 1, 70000, 8, Encoding::TwosComplement);
    EXPECT_THROW(bitSerialGemm(deepA, deepW, KernelPath::Portable), ConfigError);
}

TEST(BitSerialConv2d, EqualsIntegerConvolutionForStridesPaddingGroupsAndDepthwise)
{
    struct Case {
        const char* name;
        ConvGeometry geometry;
    };
    const auto geometry = [](int batch, int channels, int h, int w, int out, int k, int stride, int pad, int groups) {
        ConvGeometry g;
        g.batch = batch;
        g.channels = channels;
        g.height = h;
        g.width = w;
        g.outChannels = out;
        g.kernelHeight = g.kernelWidth = k;
        g.strideY = g.strideX = stride;
        g.padY = g.padX = pad;
        g.groups = groups;
        return g;
    };
    ConvGeometry rectangular = geometry(1, 3, 6, 5, 2, 3, 1, 0, 1);
    rectangular.kernelWidth = 2;
    rectangular.strideX = 2;
    rectangular.padX = 1;
    const std::vector<Case> cases = {
        {"3x3, padding 1", geometry(2, 5, 7, 9, 4, 3, 1, 1, 1)},
        {"stride 2, odd sizes", geometry(3, 3, 11, 7, 5, 3, 2, 1, 1)},
        {"groups 2", geometry(2, 6, 6, 6, 4, 3, 1, 1, 2)},
        {"depthwise", geometry(2, 8, 5, 5, 8, 3, 2, 1, 8)},
        {"1x1", geometry(1, 70, 4, 4, 3, 1, 1, 0, 1)},
        {"deep (2 words)", geometry(1, 16, 5, 5, 3, 3, 1, 1, 1)},
        {"130 channels, rows of 13 (tiles and tails)", geometry(1, 130, 3, 13, 9, 3, 1, 1, 1)},
        // Windows on bytes (loads or permutes instead of shifts): 3 bytes apart over three vectors
        // of pixels, 8 bytes apart (stride 2), and 12 bytes apart (past one vector's reach).
        {"24 channels, rows of 19", geometry(1, 24, 3, 19, 5, 3, 1, 1, 1)},
        {"32 channels, stride 2", geometry(1, 32, 5, 17, 3, 3, 2, 1, 1)},
        {"96 channels", geometry(1, 96, 3, 5, 3, 3, 1, 1, 1)},
        // Channels packed into whole bytes, 16- or 32-bit lanes of the rows, or (48 = 32 + 16) both.
        {"groups of 8 channels", geometry(1, 16, 4, 6, 4, 3, 1, 1, 2)},
        {"48 channels", geometry(1, 48, 3, 5, 3, 3, 1, 1, 1)},
        {"rectangular", rectangular},
    };
    const std::vector<std::pair<int, int>> widths = {{1, 1}, {1, 2}, {2, 2}, {3, 5}, {4, 4}, {8, 1}, {8, 8}};
    std::mt19937 rng(3);
    for (KernelPath path : supportedKernelPaths())
        for (const Case& c : cases)
            for (auto [weightBits, activationBits] : widths)
                for (Encoding activationEncoding : {Encoding::Unsigned, Encoding::TwosComplement}) {
                    const ConvGeometry& g = c.geometry;
                    const Encoding weightEncoding = weightBits == 1 ? Encoding::OffsetBinary : Encoding::TwosComplement;
                    const auto input = randomValues(size_t(g.batch * g.channels * g.height * g.width), activationBits,
                                                    activationEncoding, rng);
                    const auto weights =
                        randomValues(size_t(g.outChannels * g.groupChannels() * g.kernelHeight * g.kernelWidth),
                                     weightBits, weightEncoding, rng);
                    const auto out =
                        bitSerialConv2d(input.data(), packConvWeights(weights.data(), g, weightBits, weightEncoding),
                                        activationBits, activationEncoding, path, 2);
                    ASSERT_EQ(out, referenceConv(input, weights, g))
                        << kernelPathName(path) << ", " << c.name << ", W" << weightBits << "A" << activationBits;
                }
}

TEST(BitSerialConv2d, BadGeometryIsNamed)
{
    ConvGeometry g;
    g.channels = 3;
    g.groups = 2;
    EXPECT_THROW(g.validate(), ConfigError);
    g.groups = 1;
    g.kernelHeight = 3; // 1x1 input, no padding
    EXPECT_THROW(g.validate(), ConfigError);
    const std::vector<int32_t> weights(3, 1);
    g.kernelHeight = 1;
    const PackedConvWeights packed = packConvWeights(weights.data(), g, 1, Encoding::OffsetBinary);
    EXPECT_THROW(bitSerialConv2d(weights.data(), packed, 2, Encoding::OffsetBinary, KernelPath::Portable), ConfigError);
    const std::vector<int32_t> input = {0, 4, 1}; // 4 does not fit 2 unsigned bits
    try {
        bitSerialConv2d(input.data(), packed, 2, Encoding::Unsigned, KernelPath::Portable);
        FAIL() << "4 is not a 2-bit activation";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("channel 1, pixel 0: value 4 is not a 2-bit unsigned value"),
                  std::string::npos)
            << e.what();
    }
    const std::vector<int32_t> signedInput = {1, -2, -3}; // -3 does not fit 2 two's complement bits
    try {
        bitSerialConv2d(signedInput.data(), packed, 2, Encoding::TwosComplement, fastestKernelPath(), 2);
        FAIL() << "-3 is not a 2-bit two's complement activation";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("channel 2, pixel 0: value -3"), std::string::npos) << e.what();
    }
}

TEST(KernelPaths, PortableIsAlwaysThereAndTheFastestIsLast)
{
    const std::vector<KernelPath> paths = supportedKernelPaths();
    ASSERT_FALSE(paths.empty());
    EXPECT_EQ(paths.front(), KernelPath::Portable);
    EXPECT_EQ(fastestKernelPath(), paths.back());
}
