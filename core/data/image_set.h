#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace quantscope {

/// A labelled set of 8-bit images stored channel-first (N x C x H x W), as data sets ship them.
/// Plain memory, no LibTorch types, so every layer of the program can hold one.
struct ImageSet {
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<uint8_t> pixels; ///< size() * channels * height * width bytes
    std::vector<int64_t> labels; ///< one class index per image

    size_t size() const { return labels.size(); }
    size_t imageBytes() const { return size_t(channels) * height * width; }

    /// The images at `indices`, in that order.
    ImageSet select(const std::vector<size_t>& indices) const;
    /// The first `count` images (all of them if `count` is larger).
    ImageSet head(size_t count) const;
    /// Number of distinct labels, taken as max label + 1.
    int classCount() const;
};

} // namespace quantscope
