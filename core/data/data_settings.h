#pragma once

#include "common/progress.h"
#include "data/dataset.h"
#include "data/image_decoder.h"
#include "data/image_transforms.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace quantscope {

/// How an image folder is read (docs/data.md): the evaluation transform, the colour mode, the
/// fine-tuning augmentation, what a bad image does, and the reading machinery.
struct ImageFolderSettings {
    std::string resize;                ///< torchvision's Resize: "S" (shorter side) or "HxW"; empty: none
    std::string crop;                  ///< CenterCrop: "S" or "HxW"; empty: none
    std::string color = "auto";        ///< auto (the network's channels: 1 grey, 3 RGB), rgb or gray
    std::string augment = "crop-flip"; ///< fine-tuning: crop-flip (RandomResizedCrop + flip), flip or none
    std::string onBadImage = "fail";   ///< fail (an error naming the file) or skip (a warning naming it)
    size_t cacheMB = 512;              ///< decoded images kept for their next read
    int workers = 0;                   ///< decoding threads (0: the cores, up to 8)

    ImagePreprocessing transform() const { return ImagePreprocessing::parse(resize, crop); }
    /// The colour mode for a network of `networkChannels` input channels (0: not known, RGB as
    /// torchvision's loader). ConfigError when `color` names neither, or contradicts the network.
    ColorMode colorFor(int networkChannels) const;
    Augmentation augmentation() const;
    /// ConfigError naming the first option that is wrong.
    void validate() const;
};

/// What a command or a study reads: the data set, its folder, the splits and, for an image
/// folder, how its images are read.
struct DataSettings {
    std::string dataset = "fashion-mnist"; ///< fashion-mnist, cifar10 or imagefolder
    std::string dataDir;                   ///< empty: the data set's default folder
    size_t searchSize = 2000;
    uint64_t splitSeed = 0;
    size_t limit = 0; ///< first N images of each split only (quick runs); 0: all
    ImageFolderSettings folder;

    DatasetKind kind() const { return parseDatasetKind(dataset); }
    /// The same settings with every name in its one spelling ("fmnist" is "fashion-mnist", "grey"
    /// is "gray"), so that a stored study compares equal to what names it differently.
    DataSettings canonical() const;
    /// ConfigError naming the first setting that is wrong.
    void validate() const;
};

/// The splits `settings` describe, for a network of `networkChannels` input channels (0: not
/// known). File data sets are read whole; an image folder is indexed (progress "index ..."), its
/// search and calibration images decoded into memory (progress "decode ..."), its training and
/// hold-out images left to stream. DataError or ImageError naming the folder or file that is
/// wrong, ConfigError for settings that do not fit the data.
DataSplits loadSplits(const DataSettings& settings, int networkChannels = 0, const WorkControl& control = {});

/// Indexes the image folder `settings` names and checks that its splits can be made, decoding
/// nothing: what a dialog checks before a study is created (loadSplits' errors, but for images
/// that do not decode).
void checkImageFolder(const DataSettings& settings, const WorkControl& control = {});

/// Per-channel mean and standard deviation of `images`' pixels scaled to [0, 1]: the
/// normalisation torchvision users compute on their training set.
void measureNormalisation(const ImageSet& images, std::vector<float>& mean, std::vector<float>& stddev);

/// Images per class of `source`, in class order (`classes` entries).
std::vector<size_t> classCounts(const ImageSource& source, size_t classes);

/// What a person reads about the data a study or command uses: the image shape, the classes and
/// the images of each class in each split, and the notes the loading left.
struct DataSummary {
    ImageShape shape;
    std::vector<std::string> classes;
    std::vector<size_t> train, search, holdout; ///< per class
    std::vector<std::string> notes;

    bool empty() const { return classes.empty(); }
    /// "4 classes, 200 training, 40 search and 120 hold-out images of 3x32x32".
    std::string oneLine() const;
    /// One line per class: name and images in each split, then the totals.
    std::string table() const;
};
DataSummary summarise(const DataSplits& splits);

} // namespace quantscope
