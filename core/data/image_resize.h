#pragma once

#include <cstddef>
#include <cstdint>

namespace quantscope {

/// An 8-bit image region read in place: `width` x `height` pixels of `channels` interleaved bytes,
/// rows `stride` bytes apart (a crop of a larger image is a pointer and the larger stride).
struct PixelView {
    const uint8_t* data = nullptr;
    int width = 0;
    int height = 0;
    int channels = 0;
    size_t stride = 0;
};

/// Output pixels `[left, left + width) x [top, top + height)` of a resized image: the part of it
/// that a following centre crop keeps, so that nothing else is computed.
struct OutputWindow {
    int left = 0;
    int top = 0;
    int width = 0;
    int height = 0;
};

/// PIL's `Image.resize((outWidth, outHeight), Image.BILINEAR)` of `source` (torchvision's `Resize`
/// on PIL images): a separable triangle filter whose support widens by the scale factor when
/// shrinking (antialiasing), coefficients normalised per output pixel and rounded to 22-bit fixed
/// point, the horizontal pass first and rounded to 8 bits, then the vertical pass; so the result is
/// PIL's byte for byte. Only `window`'s pixels are computed and written to `out`
/// (window.width x window.height x channels, interleaved); the window lies inside the output.
void resizeBilinear(const PixelView& source, int outWidth, int outHeight, const OutputWindow& window, uint8_t* out);

} // namespace quantscope
