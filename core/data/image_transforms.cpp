#include "data/image_transforms.h"

#include "common/error.h"
#include "data/image_resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace quantscope {

std::string ImageSize::text() const
{
    return std::to_string(height) + "x" + std::to_string(width);
}

ImageSize ImagePreprocessing::resized(ImageSize input) const
{
    if (resizeTo.height > 0)
        return resizeTo;
    if (resizeShorter <= 0)
        return input;
    // torchvision's _compute_resized_output_size: the longer side truncated, in double precision.
    const bool portrait = input.width <= input.height;
    const int shorter = portrait ? input.width : input.height;
    const int longer = portrait ? input.height : input.width;
    // Capped (long before an int overflows) for images of absurd aspect ratios.
    const int newLonger = int(std::min(double(resizeShorter) * double(longer) / double(shorter), 1e8));
    return portrait ? ImageSize{newLonger, resizeShorter} : ImageSize{resizeShorter, newLonger};
}

std::optional<ImageSize> ImagePreprocessing::fixedOutput() const
{
    if (crops())
        return crop;
    if (resizeTo.height > 0)
        return resizeTo;
    return std::nullopt;
}

ImageSize ImagePreprocessing::output(ImageSize input) const
{
    return crops() ? crop : resized(input);
}

namespace {

std::string sizeArgument(ImageSize size)
{
    return size.height == size.width ? std::to_string(size.height)
                                     : "(" + std::to_string(size.height) + ", " + std::to_string(size.width) + ")";
}

/// "S" or "HxW" (also "H,W"), each positive.
ImageSize parseSize(const std::string& text, const std::string& option, bool* single)
{
    const size_t sep = text.find_first_of("x,");
    auto number = [&](const std::string& part) {
        size_t used = 0;
        int value = 0;
        try {
            value = std::stoi(part, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != part.size() || part.empty() || value <= 0 || value > 16384)
            throw ConfigError(option + " '" + text + "': expected a size in pixels (S) or HxW, each 1-16384");
        return value;
    };
    if (single)
        *single = sep == std::string::npos;
    if (sep == std::string::npos) {
        const int s = number(text);
        return {s, s};
    }
    return {number(text.substr(0, sep)), number(text.substr(sep + 1))};
}

/// Python's round() of k / 2: half to even.
int halfRoundedEven(int k)
{
    const int floor = k / 2;
    return (k % 2 == 0 || floor % 2 == 0) ? floor : floor + 1;
}

/// Where a centre crop of `crop` pixels starts along a side of `size` pixels: negative where
/// torchvision pads first (left/top padding (crop - size) // 2).
int cropStart(int size, int crop)
{
    return crop > size ? -((crop - size) / 2) : halfRoundedEven(size - crop);
}

/// Interleaved `height` x `width` x `channels` to channel-first, at `out`'s offset (top, left)
/// in an output of `outWidth` columns and `planeSize` pixels per channel.
void toPlanar(const uint8_t* interleaved, int height, int width, int channels, uint8_t* out, int top, int left,
              int outWidth, size_t planeSize)
{
    for (int c = 0; c < channels; ++c) {
        uint8_t* plane = out + size_t(c) * planeSize;
        for (int y = 0; y < height; ++y) {
            const uint8_t* in = interleaved + (size_t(y) * size_t(width)) * size_t(channels) + size_t(c);
            uint8_t* row = plane + size_t(top + y) * size_t(outWidth) + size_t(left);
            for (int x = 0; x < width; ++x)
                row[x] = in[size_t(x) * size_t(channels)];
        }
    }
}

void flipPlanes(uint8_t* image, int channels, ImageSize size)
{
    for (int r = 0; r < channels * size.height; ++r)
        std::reverse(image + size_t(r) * size_t(size.width), image + size_t(r + 1) * size_t(size.width));
}

PixelView viewOf(const DecodedImage& image)
{
    return {image.pixels.data(), image.width, image.height, image.channels,
            size_t(image.width) * size_t(image.channels)};
}

} // namespace

std::string ImagePreprocessing::describe() const
{
    std::string text;
    if (resizeShorter > 0)
        text = "Resize(" + std::to_string(resizeShorter) + ")";
    else if (resizeTo.height > 0)
        text = "Resize((" + std::to_string(resizeTo.height) + ", " + std::to_string(resizeTo.width) + "))";
    if (crops())
        text += (text.empty() ? "" : ", ") + std::string("CenterCrop(") + sizeArgument(crop) + ")";
    return text.empty() ? "none" : text;
}

ImagePreprocessing ImagePreprocessing::parse(const std::string& resize, const std::string& crop)
{
    ImagePreprocessing p;
    if (!resize.empty()) {
        bool single = false;
        const ImageSize size = parseSize(resize, "--resize", &single);
        if (single)
            p.resizeShorter = size.height;
        else
            p.resizeTo = size;
    }
    if (!crop.empty())
        p.crop = parseSize(crop, "--crop", nullptr);
    return p;
}

std::string ImagePreprocessing::resizeText() const
{
    if (resizeShorter > 0)
        return std::to_string(resizeShorter);
    return resizeTo.height > 0 ? resizeTo.text() : std::string();
}

std::string ImagePreprocessing::cropText() const
{
    return crops() ? crop.text() : std::string();
}

void preprocessImage(const DecodedImage& image, const ImagePreprocessing& transform, uint8_t* out)
{
    const ImageSize input{image.height, image.width};
    const ImageSize resized = transform.resized(input);
    const ImageSize output = transform.output(input);
    const int top = transform.crops() ? cropStart(resized.height, output.height) : 0;
    const int left = transform.crops() ? cropStart(resized.width, output.width) : 0;
    // The part of the resized image the crop keeps, in resized coordinates.
    OutputWindow window;
    window.top = std::max(top, 0);
    window.left = std::max(left, 0);
    window.height = std::min(top + output.height, resized.height) - window.top;
    window.width = std::min(left + output.width, resized.width) - window.left;
    const size_t planeSize = size_t(output.height) * size_t(output.width);
    if (window.top != top || window.left != left || window.height != output.height || window.width != output.width)
        std::memset(out, 0, planeSize * size_t(image.channels)); // torchvision pads with zeros
    std::vector<uint8_t> kept(size_t(window.height) * size_t(window.width) * size_t(image.channels));
    resizeBilinear(viewOf(image), resized.width, resized.height, window, kept.data());
    toPlanar(kept.data(), window.height, window.width, image.channels, out, window.top - top, window.left - left,
             output.width, planeSize);
}

void randomResizedCrop(const DecodedImage& image, ImageSize size, bool flip, std::mt19937_64& rng, uint8_t* out)
{
    const int width = image.width, height = image.height;
    const double area = double(height) * double(width);
    const double logLow = std::log(3.0 / 4.0), logHigh = std::log(4.0 / 3.0);
    std::uniform_real_distribution<double> scale(0.08, 1.0), logRatio(logLow, logHigh);
    int top = 0, left = 0, h = 0, w = 0;
    bool found = false;
    for (int attempt = 0; attempt < 10 && !found; ++attempt) {
        const double target = area * scale(rng);
        const double aspect = std::exp(logRatio(rng));
        w = int(std::nearbyint(std::sqrt(target * aspect))); // Python's round(): half to even
        h = int(std::nearbyint(std::sqrt(target / aspect)));
        if (w > 0 && w <= width && h > 0 && h <= height) {
            top = std::uniform_int_distribution<int>(0, height - h)(rng);
            left = std::uniform_int_distribution<int>(0, width - w)(rng);
            found = true;
        }
    }
    if (!found) { // the centre at the nearest allowed aspect
        const double ratio = double(width) / double(height);
        w = width, h = height;
        if (ratio < 3.0 / 4.0)
            h = int(std::nearbyint(w / (3.0 / 4.0)));
        else if (ratio > 4.0 / 3.0)
            w = int(std::nearbyint(h * (4.0 / 3.0)));
        top = (height - h) / 2;
        left = (width - w) / 2;
    }
    const size_t stride = size_t(width) * size_t(image.channels);
    const PixelView cropped{image.pixels.data() + size_t(top) * stride + size_t(left) * size_t(image.channels), w, h,
                            image.channels, stride};
    std::vector<uint8_t> resized(size_t(size.height) * size_t(size.width) * size_t(image.channels));
    resizeBilinear(cropped, size.width, size.height, {0, 0, size.width, size.height}, resized.data());
    toPlanar(resized.data(), size.height, size.width, image.channels, out, 0, 0, size.width,
             size_t(size.height) * size_t(size.width));
    if (flip && std::bernoulli_distribution(0.5)(rng))
        flipPlanes(out, image.channels, size);
}

} // namespace quantscope
