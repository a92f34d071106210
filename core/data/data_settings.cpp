#include "data/data_settings.h"

#include "common/error.h"
#include "data/batch_prefetcher.h"
#include "data/image_folder_source.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace quantscope {

ColorMode ImageFolderSettings::colorFor(int networkChannels) const
{
    if (color == "auto")
        return networkChannels == 1 ? ColorMode::Gray : ColorMode::Rgb;
    const ColorMode mode = color == "gray" || color == "grey" ? ColorMode::Gray : ColorMode::Rgb;
    const int channels = mode == ColorMode::Gray ? 1 : 3;
    if (networkChannels > 0 && networkChannels != channels)
        throw ConfigError("--color " + color + " gives " + std::to_string(channels)
                          + "-channel images but the network takes " + std::to_string(networkChannels) + " channels");
    return mode;
}

Augmentation ImageFolderSettings::augmentation() const
{
    Augmentation a;
    a.horizontalFlip = augment == "crop-flip" || augment == "flip";
    a.randomResizedCrop = augment == "crop-flip";
    return a;
}

void ImageFolderSettings::validate() const
{
    transform(); // ConfigError naming --resize or --crop
    if (color != "auto" && color != "rgb" && color != "gray" && color != "grey")
        throw ConfigError("--color '" + color + "': expected auto, rgb or gray");
    if (augment != "crop-flip" && augment != "flip" && augment != "none")
        throw ConfigError("--augment '" + augment + "': expected crop-flip, flip or none");
    if (onBadImage != "fail" && onBadImage != "skip")
        throw ConfigError("--on-bad-image '" + onBadImage + "': expected fail or skip");
    if (cacheMB > (size_t(1) << 20))
        throw ConfigError("--image-cache-mb " + std::to_string(cacheMB) + " is more than 1 TB");
    if (workers < 0 || workers > 64)
        throw ConfigError("--data-workers must be 0..64, got " + std::to_string(workers));
}

DataSettings DataSettings::canonical() const
{
    DataSettings s = *this;
    try {
        s.dataset = datasetName(kind());
    } catch (const ConfigError&) { // validate() says what is wrong with it
    }
    if (s.folder.color == "grey")
        s.folder.color = "gray";
    return s;
}

void DataSettings::validate() const
{
    const DatasetKind k = kind(); // ConfigError for an unknown name
    if (k == DatasetKind::ImageFolder) {
        if (dataDir.empty())
            throw ConfigError(
                "an image folder needs its folder: --data-dir DIR (DIR/train and DIR/val, or DIR of class folders)");
        folder.validate();
    }
}

namespace {

/// Of a one-folder data set, the share held out for final numbers.
constexpr double kHoldoutShare = 0.2;

std::vector<uint32_t> sortedRange(const std::vector<uint32_t>& order, size_t begin, size_t end)
{
    std::vector<uint32_t> part(order.begin() + long(begin), order.begin() + long(end));
    std::sort(part.begin(), part.end()); // file order inside a split, as splitDataset keeps it
    return part;
}

/// The image every other must match in size when no transform fixes it: the first one whose
/// header reads (under the skip policy, a damaged first image is passed over).
std::string sizeReference(const ImageFolderIndex& index, const ImageFolderReading& reading)
{
    if (reading.transform.fixedOutput())
        return index.path(0);
    for (size_t i = 0; i < index.size(); ++i) {
        try {
            readImageHeader(index.path(i));
            return index.path(i);
        } catch (const ImageError&) {
            if (reading.onBadImage != BadImagePolicy::Skip || i >= 64)
                throw;
        }
    }
    return index.path(0);
}

void addNotes(std::vector<std::string>& notes, const std::vector<std::string>& more)
{
    notes.insert(notes.end(), more.begin(), more.end());
}

/// An image folder's layout and indices, checked for what every split needs.
struct IndexedFolder {
    ImageFolderLayout layout;
    std::shared_ptr<const ImageFolderIndex> train;
    std::shared_ptr<const ImageFolderIndex> holdout; ///< null in the one-folder layout
    size_t held = 0;                                 ///< images of train held out (one-folder layout)
    size_t search = 0;                               ///< images of train in the search split
};

IndexedFolder indexFolder(const DataSettings& settings, const WorkControl& control)
{
    IndexedFolder folder;
    folder.layout = imageFolderLayout(settings.dataDir);
    const ImageFolderLayout& layout = folder.layout;
    folder.train = std::make_shared<const ImageFolderIndex>(indexImageFolder(layout.train, {}, control));
    if (!layout.holdout.empty())
        folder.holdout =
            std::make_shared<const ImageFolderIndex>(indexImageFolder(layout.holdout, folder.train->classes, control));
    if (folder.train->size() == 0)
        throw DataError(
            layout.train
            + " holds no images (files ending .jpg, .jpeg, .png, .bmp, .webp, .ppm or .pgm in its class folders)");
    if (folder.train->classes.size() < 2)
        throw DataError(layout.train + " has one class folder ('" + folder.train->classes.front()
                        + "'): a classifier's data set needs at least two");
    if (folder.holdout && folder.holdout->size() == 0)
        throw DataError(layout.holdout + " holds no images: fill it, or leave it out to hold out a share of "
                        + layout.train);
    const size_t n = folder.train->size();
    folder.held = folder.holdout ? 0 : std::max<size_t>(1, size_t(std::lround(kHoldoutShare * double(n))));
    folder.search = std::min(settings.searchSize, n);
    if (folder.held + folder.search >= n)
        throw ConfigError(layout.train + " has " + std::to_string(n) + " images: a search split of "
                          + std::to_string(settings.searchSize)
                          + (folder.held > 0 ? " and a hold-out of " + std::to_string(folder.held) : std::string())
                          + " leave none to fine-tune on; lower the search split's size (--search-size)");
    return folder;
}

DataSplits loadImageFolder(const DataSettings& settings, int networkChannels, const WorkControl& control)
{
    const IndexedFolder folder = indexFolder(settings, control);
    const ImageFolderLayout& layout = folder.layout;
    const std::shared_ptr<const ImageFolderIndex>& trainIndex = folder.train;
    const std::shared_ptr<const ImageFolderIndex>& holdoutIndex = folder.holdout;
    const size_t held = folder.held, search = folder.search;

    // A seeded order of the training images: the search split first, the rest train (so that
    // their first images, the calibration sample, are a random sample too).
    std::vector<uint32_t> order(trainIndex->size());
    std::iota(order.begin(), order.end(), 0u);
    std::mt19937_64 rng(settings.splitSeed);
    std::shuffle(order.begin(), order.end(), rng);
    // --limit keeps a random part of every split (a split's first images in file order would be
    // its first classes); the search split stays in the seeded order, so that its first images
    // (sensitivity's --images) are a random sample as well.
    const size_t limit = settings.limit;
    const auto cut = [limit](size_t count) { return limit > 0 ? std::min(count, limit) : count; };
    std::vector<uint32_t> holdoutMembers = sortedRange(order, 0, cut(held));
    std::vector<uint32_t> searchMembers(order.begin() + long(held), order.begin() + long(held + cut(search)));
    std::vector<uint32_t> trainMembers(order.begin() + long(held + search), order.end());
    trainMembers.resize(cut(trainMembers.size()));
    if (holdoutIndex) { // all of val/ in file order (torchvision's), or a seeded sample of it
        std::vector<uint32_t> all(holdoutIndex->size());
        std::iota(all.begin(), all.end(), 0u);
        std::mt19937_64 sample(settings.splitSeed + 1);
        if (cut(all.size()) < all.size())
            std::shuffle(all.begin(), all.end(), sample);
        holdoutMembers = sortedRange(all, 0, cut(all.size()));
    }

    ImageFolderReading reading;
    reading.transform = settings.folder.transform();
    reading.color = settings.folder.colorFor(networkChannels);
    reading.onBadImage = settings.folder.onBadImage == "skip" ? BadImagePolicy::Skip : BadImagePolicy::Fail;
    const int workers = decodingThreads(settings.folder.workers);
    reading.threads = workers;
    reading.sizeReference = sizeReference(*trainIndex, reading);
    auto cache =
        settings.folder.cacheMB > 0 ? std::make_shared<DecodedImageCache>(settings.folder.cacheMB << 20) : nullptr;

    DataSplits splits;
    splits.classNames = trainIndex->classes;
    addNotes(splits.notes, trainIndex->warnings);
    if (holdoutIndex)
        addNotes(splits.notes, holdoutIndex->warnings);
    splits.train = std::make_shared<const ImageFolderSource>(trainIndex, trainMembers, reading, cache);
    splits.holdout = std::make_shared<const ImageFolderSource>(holdoutIndex ? holdoutIndex : trainIndex, holdoutMembers,
                                                               reading, cache);
    std::vector<std::string> skipped;
    // The search and calibration images are read at every trial: decoded once, held in memory.
    const ImageFolderSource searchSource(trainIndex, searchMembers, reading);
    splits.search = readIntoMemory(searchSource, 0, workers, "decode search split", control, &skipped);
    const std::vector<uint32_t> calibrationMembers(
        trainMembers.begin(), trainMembers.begin() + long(std::min(kCalibrationImages, trainMembers.size())));
    const ImageFolderSource calibrationSource(trainIndex, calibrationMembers, reading);
    splits.calibration = readIntoMemory(calibrationSource, 0, workers, "decode calibration images", control, &skipped);
    for (const std::string& why : skipped)
        splits.notes.push_back("skipped (--on-bad-image skip): " + why);
    if (splits.calibration.size() == 0)
        throw DataError("none of the " + std::to_string(calibrationMembers.size()) + " calibration images of "
                        + layout.train + " could be read (all skipped as bad)");
    if (!searchMembers.empty() && splits.search.size() == 0)
        throw DataError("none of the " + std::to_string(searchMembers.size()) + " search images of " + layout.train
                        + " could be read (all skipped as bad)");
    splits.augmentation = settings.folder.augmentation();
    return splits;
}

} // namespace

void checkImageFolder(const DataSettings& settings, const WorkControl& control)
{
    settings.validate();
    indexFolder(settings, control);
}

DataSplits loadSplits(const DataSettings& settings, int networkChannels, const WorkControl& control)
{
    settings.validate();
    if (settings.kind() == DatasetKind::ImageFolder)
        return loadImageFolder(settings, networkChannels, control);
    DataSplits splits =
        splitDataset(loadDataset(settings.kind(), settings.dataDir), settings.searchSize, settings.splitSeed);
    if (settings.limit > 0) {
        splits.train = firstImages(splits.train, settings.limit);
        splits.search = splits.search.head(settings.limit);
        splits.holdout = firstImages(splits.holdout, settings.limit);
        splits.calibration = splits.calibration.head(settings.limit);
    }
    return splits;
}

void measureNormalisation(const ImageSet& images, std::vector<float>& mean, std::vector<float>& stddev)
{
    const size_t plane = size_t(images.height) * size_t(images.width);
    mean.assign(size_t(images.channels), 0.0f);
    stddev.assign(size_t(images.channels), 0.0f);
    if (images.size() == 0 || plane == 0)
        return;
    for (int c = 0; c < images.channels; ++c) {
        double sum = 0, squares = 0;
        for (size_t i = 0; i < images.size(); ++i) {
            const uint8_t* p = images.pixels.data() + (i * size_t(images.channels) + size_t(c)) * plane;
            uint64_t s = 0, q = 0;
            for (size_t k = 0; k < plane; ++k) {
                s += p[k];
                q += uint64_t(p[k]) * p[k];
            }
            sum += double(s);
            squares += double(q);
        }
        const double count = double(plane) * double(images.size());
        const double m = sum / count / 255.0;
        const double variance = std::max(squares / count / (255.0 * 255.0) - m * m, 0.0);
        mean[size_t(c)] = float(m);
        stddev[size_t(c)] = float(std::max(std::sqrt(variance), 1e-3)); // a constant image set still divides
    }
}

std::vector<size_t> classCounts(const ImageSource& source, size_t classes)
{
    std::vector<size_t> counts(classes, 0);
    for (size_t i = 0; i < source.size(); ++i) {
        const int64_t label = source.label(i);
        if (label >= 0 && size_t(label) < classes)
            ++counts[size_t(label)];
    }
    return counts;
}

namespace {

size_t total(const std::vector<size_t>& counts)
{
    return std::accumulate(counts.begin(), counts.end(), size_t{0});
}

} // namespace

DataSummary summarise(const DataSplits& splits)
{
    DataSummary summary;
    summary.shape = splits.shape();
    summary.classes = splits.classNames;
    if (summary.classes.empty()) // a file data set without names: its labels' range
        for (int c = 0; c < splits.train->classCount(); ++c)
            summary.classes.push_back(std::to_string(c));
    summary.train = classCounts(*splits.train, summary.classes.size());
    summary.search = classCounts(splits.search, summary.classes.size());
    summary.holdout = classCounts(*splits.holdout, summary.classes.size());
    summary.notes = splits.notes;
    return summary;
}

std::string DataSummary::oneLine() const
{
    return std::to_string(classes.size()) + " classes, " + std::to_string(total(train)) + " training, "
        + std::to_string(total(search)) + " search and " + std::to_string(total(holdout)) + " hold-out images of "
        + shape.text();
}

std::string DataSummary::table() const
{
    size_t width = 8;
    for (const std::string& name : classes)
        width = std::max(width, name.size() + 2);
    auto row = [&](const std::string& name, size_t a, size_t b, size_t c) {
        std::string line = name + std::string(width - std::min(width, name.size()), ' ');
        for (size_t value : {a, b, c}) {
            const std::string text = std::to_string(value);
            line += std::string(10 - std::min<size_t>(10, text.size()), ' ') + text;
        }
        return line + "\n";
    };
    std::string text = "class" + std::string(width - 5, ' ') + "     train    search  hold-out\n";
    for (size_t c = 0; c < classes.size(); ++c)
        text += row(classes[c], train[c], search[c], holdout[c]);
    return text + row("total", total(train), total(search), total(holdout));
}

} // namespace quantscope
