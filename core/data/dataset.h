#pragma once

#include "data/image_set.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace quantscope {

/// Data sets Quantscope reads: two of fixed files, and any folder of images in class folders
/// (docs/data.md).
enum class DatasetKind { FashionMnist, Cifar10, ImageFolder };

/// "fashion-mnist", "cifar10" or "imagefolder"; ConfigError otherwise.
DatasetKind parseDatasetKind(const std::string& name);
std::string datasetName(DatasetKind kind);
/// Where the data set lives when no directory is given (Debian's dataset-fashion-mnist for
/// Fashion-MNIST; CIFAR-10 has no default, the user brings the files).
std::string defaultDatasetDirectory(DatasetKind kind);

/// Image shape, class count and normalisation statistics of a file data set, known without
/// loading it (an image folder's come from its images: DataSplits).
struct DatasetFacts {
    int channels = 1;
    int height = 28;
    int width = 28;
    int classes = 10;
    std::vector<float> mean; ///< per channel, of pixels scaled to [0, 1] (training set)
    std::vector<float> stddev;
};
DatasetFacts datasetFacts(DatasetKind kind);

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

/// The disjoint parts a study uses (NUQ section 4): the training images for training and
/// fine-tuning; a search-validation split of `searchSize` images that the search is rewarded on;
/// and the untouched hold-out images, for final numbers only. File data sets take the search and
/// hold-out splits from their test set; image folders take the search split from the training
/// images and hold out their val/ folder (docs/data.md). Training and hold-out images of an image
/// folder stream from disk; the search and calibration splits are held in memory.
struct DataSplits {
    std::shared_ptr<const ImageSource> train;
    ImageSet search;
    std::shared_ptr<const ImageSource> holdout;
    /// Training images that calibrate static activation ranges and estimate Hessian traces: the
    /// first kCalibrationImages of the training set (a seeded sample of an image folder's).
    ImageSet calibration;
    Augmentation augmentation; ///< fine-tuning's, suited to the data set
    std::vector<std::string> classNames;
    /// What a user should know about the data (empty class folders, images skipped as bad).
    std::vector<std::string> notes;

    /// The shape of every split's images.
    ImageShape shape() const { return calibration.shape(); }
};

/// Training images in DataSplits::calibration: more than any calibration or Hessian estimate reads.
constexpr size_t kCalibrationImages = 1024;

/// Deterministic split of the test set: a permutation seeded by `seed` puts `searchSize` images
/// in `search` and the rest in `holdout`.
DataSplits splitDataset(const Dataset& dataset, size_t searchSize = 2000, uint64_t seed = 0);

/// Which split of `DataSplits` to use, by name: "train", "search", "holdout" (alias "test").
const ImageSource& splitByName(const DataSplits& splits, const std::string& name);

/// `source`'s first `count` images (all when `count` is 0): a copy for sets in memory, a view of
/// the same files for image folders.
std::shared_ptr<const ImageSource> firstImages(const std::shared_ptr<const ImageSource>& source, size_t count);

} // namespace quantscope
