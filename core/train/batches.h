#pragma once

#include "data/dataset.h"
#include "model/model_spec.h"

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace at {
class Tensor;
}

namespace quantscope {

/// Images `begin..end` of `set` as a uint8 tensor (N x C x H x W); no copy of the pixels.
at::Tensor imageRange(const ImageSet& set, size_t begin, size_t end);
/// The images at `indices`, copied into one uint8 tensor.
at::Tensor imageBatch(const ImageSet& set, const std::vector<size_t>& indices);
at::Tensor labelRange(const ImageSet& set, size_t begin, size_t end);
at::Tensor labelBatch(const ImageSet& set, const std::vector<size_t>& indices);

/// Pixels to floats in [0, 1], normalised by the spec's per-channel mean and std.
at::Tensor normalise(const at::Tensor& pixels, const ModelSpec& spec);

/// Indices of shuffled mini-batches of a set of `size` images, drawn as training draws them: a new
/// order from `rng` whenever the rest of the current one cannot fill a batch.
class ShuffledBatches {
public:
    ShuffledBatches(size_t size, size_t batch);
    std::vector<size_t> next(std::mt19937_64& rng);
    size_t batchSize() const { return batch_; }

private:
    std::vector<size_t> order_;
    size_t cursor_;
    size_t batch_;
};

/// Random pad-and-crop and horizontal flip of a uint8 batch, drawn from `rng`.
at::Tensor augment(const at::Tensor& pixels, const Augmentation& augmentation, std::mt19937_64& rng);

/// A training step's input (the images at `indices`, augmented from `rng` when `augmentation` is
/// given, normalised for `spec`) and labels, both on `device`.
std::pair<at::Tensor, at::Tensor> trainingBatch(const ImageSet& set, const std::vector<size_t>& indices,
                                                const ModelSpec& spec, const Augmentation* augmentation,
                                                std::mt19937_64& rng, const std::string& device);

} // namespace quantscope
