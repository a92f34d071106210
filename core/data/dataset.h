#pragma once

#include "data/image_set.h"

#include <cstdint>
#include <string>
#include <vector>

namespace quantscope {

/// Data sets Quantscope reads.
enum class DatasetKind { FashionMnist, Cifar10 };

DatasetKind parseDatasetKind(const std::string& name); ///< "fashion-mnist" or "cifar10"; ConfigError otherwise
std::string datasetName(DatasetKind kind);
/// Where the data set lives when no directory is given (Debian's dataset-fashion-mnist for
/// Fashion-MNIST; CIFAR-10 has no default, the user brings the files).
std::string defaultDatasetDirectory(DatasetKind kind);

/// Image shape, class count and normalisation statistics of a data set, known without loading it.
struct DatasetFacts {
    int channels = 1;
    int height = 28;
    int width = 28;
    int classes = 10;
    std::vector<float> mean; ///< per channel, of pixels scaled to [0, 1] (training set)
    std::vector<float> stddev;
};
DatasetFacts datasetFacts(DatasetKind kind);

/// Training-time augmentation suited to a data set.
struct Augmentation {
    int padCrop = 0; ///< zero-pad by this many pixels, then crop back at a random offset
    bool horizontalFlip = false;
};

/// The files of a data set, as shipped: a training set and a test set.
struct Dataset {
    DatasetKind kind = DatasetKind::FashionMnist;
    ImageSet train;
    ImageSet test;
    std::vector<std::string> classNames;
    Augmentation augmentation;
};

/// Loads a data set from `directory` (empty: the default directory). Throws `DataError` naming the
/// missing or malformed file.
Dataset loadDataset(DatasetKind kind, const std::string& directory = {});

/// The three disjoint parts a study uses (NUQ section 4): the training images for training and
/// fine-tuning; a search-validation split of `searchSize` test images that the search is rewarded
/// on; and the untouched rest of the test images, for final numbers only.
struct DataSplits {
    ImageSet train;
    ImageSet search;
    ImageSet holdout;
};

/// Deterministic split of the test set: a permutation seeded by `seed` puts `searchSize` images
/// in `search` and the rest in `holdout`.
DataSplits splitDataset(const Dataset& dataset, size_t searchSize = 2000, uint64_t seed = 0);

/// Which split of `DataSplits` to use, by name: "train", "search", "holdout" (alias "test").
const ImageSet& splitByName(const DataSplits& splits, const std::string& name);

} // namespace quantscope
