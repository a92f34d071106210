#include "data/image_resize.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace quantscope {

namespace {

/// Fixed-point bits of the filter coefficients: 8-bit samples times coefficients summed over the
/// support stay inside a 32-bit integer (PIL's PRECISION_BITS).
constexpr int kPrecisionBits = 32 - 8 - 2;

double triangle(double x)
{
    x = std::fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

/// Each output pixel's first source pixel, tap count and fixed-point weights along one axis.
struct AxisFilter {
    int taps = 0;               ///< the most taps any output pixel has
    std::vector<int> first;     ///< per output pixel of the window
    std::vector<int> count;     ///< per output pixel of the window
    std::vector<int32_t> coeff; ///< taps per output pixel, fixed point
};

/// The filter for output pixels `begin..begin+length` of `outSize` over `inSize` source pixels.
AxisFilter axisFilter(int inSize, int outSize, int begin, int length)
{
    const double scale = double(inSize) / double(outSize);
    const double filterScale = std::max(scale, 1.0);
    const double support = 1.0 * filterScale; // the triangle's support is 1
    AxisFilter filter;
    filter.taps = int(std::ceil(support)) * 2 + 1;
    filter.first.resize(size_t(length));
    filter.count.resize(size_t(length));
    filter.coeff.assign(size_t(length) * size_t(filter.taps), 0);
    const double inverseScale = 1.0 / filterScale; // multiplied, not divided: PIL's rounding
    std::vector<double> weights(size_t(filter.taps));
    for (int i = 0; i < length; ++i) {
        const int xx = begin + i;
        const double center = (xx + 0.5) * scale;
        // Truncation toward zero, as C's (int) cast, then clamped to the image.
        const int lo = std::max(int(center - support + 0.5), 0);
        const int hi = std::min(int(center + support + 0.5), inSize);
        const int n = hi - lo;
        double total = 0;
        for (int x = 0; x < n; ++x) {
            weights[size_t(x)] = triangle((x + lo - center + 0.5) * inverseScale);
            total += weights[size_t(x)];
        }
        int32_t* k = &filter.coeff[size_t(i) * size_t(filter.taps)];
        for (int x = 0; x < n; ++x) {
            const double w = total != 0.0 ? weights[size_t(x)] / total : weights[size_t(x)];
            const double fixed = w * double(1 << kPrecisionBits);
            k[x] = int32_t(w < 0 ? -0.5 + fixed : 0.5 + fixed);
        }
        filter.first[size_t(i)] = lo;
        filter.count[size_t(i)] = n;
    }
    return filter;
}

uint8_t clip8(int32_t accumulated)
{
    return uint8_t(std::clamp(accumulated >> kPrecisionBits, 0, 255));
}

/// One row of the horizontal pass, with the channel count known to the compiler.
template <int C> void resizeRow(const uint8_t* in, const AxisFilter& across, int width, uint8_t* row)
{
    for (int x = 0; x < width; ++x) {
        const int32_t* k = &across.coeff[size_t(x) * size_t(across.taps)];
        const uint8_t* px = in + size_t(across.first[size_t(x)]) * C;
        const int n = across.count[size_t(x)];
        int32_t sum[C];
        for (int ch = 0; ch < C; ++ch)
            sum[ch] = 1 << (kPrecisionBits - 1);
        for (int t = 0; t < n; ++t)
            for (int ch = 0; ch < C; ++ch)
                sum[ch] += int32_t(px[t * C + ch]) * k[t];
        for (int ch = 0; ch < C; ++ch)
            row[x * C + ch] = clip8(sum[ch]);
    }
}

void resizeRow(const uint8_t* in, const AxisFilter& across, int width, int channels, uint8_t* row)
{
    switch (channels) {
    case 1: return resizeRow<1>(in, across, width, row);
    case 3: return resizeRow<3>(in, across, width, row);
    case 4: return resizeRow<4>(in, across, width, row);
    default:
        for (int x = 0; x < width; ++x) {
            const int32_t* k = &across.coeff[size_t(x) * size_t(across.taps)];
            const uint8_t* px = in + size_t(across.first[size_t(x)]) * size_t(channels);
            for (int ch = 0; ch < channels; ++ch) {
                int32_t sum = 1 << (kPrecisionBits - 1);
                for (int t = 0; t < across.count[size_t(x)]; ++t)
                    sum += int32_t(px[size_t(t) * size_t(channels) + size_t(ch)]) * k[t];
                row[size_t(x) * size_t(channels) + size_t(ch)] = clip8(sum);
            }
        }
    }
}

} // namespace

void resizeBilinear(const PixelView& source, int outWidth, int outHeight, const OutputWindow& window, uint8_t* out)
{
    const int c = source.channels;
    const bool horizontal = outWidth != source.width;
    const bool vertical = outHeight != source.height;
    const AxisFilter across = axisFilter(source.width, outWidth, window.left, window.width);
    const AxisFilter down = axisFilter(source.height, outHeight, window.top, window.height);

    // Source rows the vertical pass reads (all of the window's rows when there is no vertical pass).
    const int firstRow = vertical ? down.first.front() : window.top;
    const int lastRow = vertical ? down.first.back() + down.count.back() : window.top + window.height;
    const int rows = lastRow - firstRow;
    const size_t rowBytes = size_t(window.width) * size_t(c);

    // Horizontal pass into 8-bit rows, rounded as PIL rounds between its passes.
    std::vector<uint8_t> wide(size_t(rows) * rowBytes);
    for (int y = 0; y < rows; ++y) {
        const uint8_t* in = source.data + size_t(firstRow + y) * source.stride;
        uint8_t* row = wide.data() + size_t(y) * rowBytes;
        if (horizontal)
            resizeRow(in, across, window.width, c, row);
        else
            std::copy_n(in + size_t(window.left) * size_t(c), rowBytes, row);
    }
    if (!vertical) {
        std::copy(wide.begin(), wide.end(), out);
        return;
    }
    // Vertical pass: whole rows at a time, so that the compiler vectorises along the row.
    std::vector<int32_t> sum(rowBytes);
    for (int y = 0; y < window.height; ++y) {
        const int32_t* k = &down.coeff[size_t(y) * size_t(down.taps)];
        const uint8_t* col = wide.data() + size_t(down.first[size_t(y)] - firstRow) * rowBytes;
        std::fill(sum.begin(), sum.end(), 1 << (kPrecisionBits - 1));
        for (int t = 0; t < down.count[size_t(y)]; ++t) {
            const uint8_t* in = col + size_t(t) * rowBytes;
            const int32_t weight = k[t];
            for (size_t i = 0; i < rowBytes; ++i)
                sum[i] += int32_t(in[i]) * weight;
        }
        uint8_t* row = out + size_t(y) * rowBytes;
        for (size_t i = 0; i < rowBytes; ++i)
            row[i] = clip8(sum[i]);
    }
}

} // namespace quantscope
