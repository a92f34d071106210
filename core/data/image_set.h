#pragma once

#include "data/image_source.h"

#include <cstdint>
#include <string>
#include <vector>

namespace quantscope {

/// A labelled set of 8-bit images stored channel-first (N x C x H x W), as data sets ship them.
/// Plain memory, no LibTorch types, so every layer of the program can hold one.
struct ImageSet : ImageSource {
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<uint8_t> pixels; ///< size() * channels * height * width bytes
    std::vector<int64_t> labels; ///< one class index per image

    size_t size() const override { return labels.size(); }
    size_t imageBytes() const { return size_t(channels) * height * width; }

    /// The images at `indices`, in that order.
    ImageSet select(const std::vector<size_t>& indices) const;
    /// The first `count` images (all of them if `count` is larger).
    ImageSet head(size_t count) const;
    /// Number of distinct labels, taken as max label + 1.
    int classCount() const override;

    ImageShape shape() const override { return {channels, height, width}; }
    int64_t label(size_t index) const override { return labels.at(index); }
    void read(size_t index, uint8_t* out) const override;
    /// Pad-and-crop and horizontal flip (`randomResizedCrop` does not apply to a set in memory).
    void readAugmented(size_t index, const Augmentation& augmentation, uint64_t seed, uint8_t* out) const override;
    const ImageSet* inMemory() const override { return this; }
};

} // namespace quantscope
