#pragma once

#include "common/progress.h"
#include "data/dataset.h"
#include "model/model_spec.h"

#include <cstdint>
#include <functional>
#include <memory>
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

class BatchPrefetcher;

/// Shuffled training batches of a source, as training and the EBS search draw them. A set in
/// memory is drawn with the caller's generator, as always; a source that streams from disk is
/// decoded ahead on its reading threads, its order and each image's augmentation drawn from one
/// seed taken from the caller's generator, so the batches do not depend on the threads' timing.
class TrainingBatches {
public:
    /// At most `batches` batches of `batchSize` (fewer images when the set is smaller).
    TrainingBatches(const ImageSource& set, size_t batchSize, const Augmentation* augmentation, std::mt19937_64& rng,
                    int64_t batches);
    ~TrainingBatches();
    /// The next step's input, normalised for `spec`, and labels, both on `device`; images a source
    /// skips as bad are left out (and reported to `control`'s warnings).
    std::pair<at::Tensor, at::Tensor> next(const ModelSpec& spec, const std::string& device,
                                           const WorkControl& control);
    size_t batchSize() const { return batches_.batchSize(); }

private:
    /// Reads the next `batches` batches ahead (the order and seeds continue where they were).
    void stream(int64_t batches);

    const ImageSource& set_;
    ShuffledBatches batches_;
    const Augmentation* augmentation_;
    std::mt19937_64& rng_;
    std::shared_ptr<ShuffledBatches> order_; ///< a streamed source's order...
    std::shared_ptr<std::mt19937_64> draw_;  ///< ...and the generator of it and of the seeds
    std::unique_ptr<BatchPrefetcher> stream_;
};

/// Calls `use(pixels, labels)` for consecutive batches of the first `count` images of `source`
/// (uint8 N x C x H x W on the CPU, and int64 labels): views of a set in memory, or batches read
/// ahead on the source's reading threads. Checks `control` for cancellation between batches and
/// reports skipped images to its warnings.
void forEachBatch(const ImageSource& source, size_t count, int batchSize, const WorkControl& control,
                  const std::function<void(const at::Tensor& pixels, const at::Tensor& labels)>& use);

} // namespace quantscope
