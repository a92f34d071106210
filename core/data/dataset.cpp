#include "data/dataset.h"

#include "common/error.h"
#include "data/cifar_reader.h"
#include "data/idx_reader.h"
#include "data/image_folder_source.h"

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <random>

namespace quantscope {

DatasetKind parseDatasetKind(const std::string& name)
{
    if (name == "fashion-mnist" || name == "fashion_mnist" || name == "fmnist")
        return DatasetKind::FashionMnist;
    if (name == "cifar10" || name == "cifar-10")
        return DatasetKind::Cifar10;
    if (name == "imagefolder" || name == "image-folder")
        return DatasetKind::ImageFolder;
    throw ConfigError("unknown dataset '" + name + "': expected fashion-mnist, cifar10 or imagefolder");
}

std::string datasetName(DatasetKind kind)
{
    switch (kind) {
    case DatasetKind::FashionMnist: return "fashion-mnist";
    case DatasetKind::Cifar10: return "cifar10";
    case DatasetKind::ImageFolder: return "imagefolder";
    }
    return {};
}

std::string defaultDatasetDirectory(DatasetKind kind)
{
    if (kind == DatasetKind::FashionMnist) {
        if (const char* dir = std::getenv("QUANTSCOPE_FASHION_MNIST_DIR"))
            return dir;
        return "/usr/share/datasets/fashion-mnist";
    }
    if (kind == DatasetKind::ImageFolder)
        return {};
    if (const char* dir = std::getenv("QUANTSCOPE_CIFAR10_DIR"))
        return dir;
    return {};
}

DatasetFacts datasetFacts(DatasetKind kind)
{
    if (kind == DatasetKind::ImageFolder)
        throw ConfigError("an image folder's image shape and classes come from its images (load its splits)");
    if (kind == DatasetKind::FashionMnist)
        return DatasetFacts{1, 28, 28, 10, {0.2860f}, {0.3530f}};
    return DatasetFacts{3, 32, 32, 10, {0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
}

namespace {

std::string findFile(const std::filesystem::path& dir, const std::string& stem)
{
    for (const std::string& candidate : {stem + ".gz", stem}) {
        if (std::filesystem::exists(dir / candidate))
            return (dir / candidate).string();
    }
    return (dir / (stem + ".gz")).string(); // the reader reports it missing by this name
}

Dataset loadFashionMnist(const std::filesystem::path& dir)
{
    Dataset data;
    data.kind = DatasetKind::FashionMnist;
    data.train = readIdx(findFile(dir, "train-images-idx3-ubyte"), findFile(dir, "train-labels-idx1-ubyte"));
    data.test = readIdx(findFile(dir, "t10k-images-idx3-ubyte"), findFile(dir, "t10k-labels-idx1-ubyte"));
    data.classNames = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                       "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    // Garments are left-right symmetric; a small shift mimics imperfect centring.
    data.augmentation = Augmentation{2, true};
    return data;
}

Dataset loadCifar10(const std::filesystem::path& dir)
{
    // Accept the directory of the extracted archive or its parent.
    std::filesystem::path base = dir;
    if (!std::filesystem::exists(base / "test_batch.bin") && std::filesystem::exists(base / "cifar-10-batches-bin"))
        base /= "cifar-10-batches-bin";
    std::vector<std::string> trainFiles;
    for (int i = 1; i <= 5; ++i)
        trainFiles.push_back((base / ("data_batch_" + std::to_string(i) + ".bin")).string());
    Dataset data;
    data.kind = DatasetKind::Cifar10;
    data.train = readCifar10(trainFiles);
    data.test = readCifar10({(base / "test_batch.bin").string()});
    data.classNames = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
    data.augmentation = Augmentation{4, true};
    return data;
}

} // namespace

Dataset loadDataset(DatasetKind kind, const std::string& directory)
{
    const std::string dir = directory.empty() ? defaultDatasetDirectory(kind) : directory;
    if (dir.empty())
        throw DataError("no directory given for " + datasetName(kind)
                        + ": pass the folder holding its files (e.g. --data-dir)");
    if (!std::filesystem::is_directory(dir))
        throw DataError("data directory not found: " + dir);
    if (kind == DatasetKind::ImageFolder)
        throw ConfigError("an image folder is read split by split (loadSplits), not loaded whole");
    return kind == DatasetKind::FashionMnist ? loadFashionMnist(dir) : loadCifar10(dir);
}

DataSplits splitDataset(const Dataset& dataset, size_t searchSize, uint64_t seed)
{
    const size_t n = dataset.test.size();
    if (searchSize >= n)
        throw ConfigError("search split of " + std::to_string(searchSize)
                          + " images leaves no hold-out images: the test set has " + std::to_string(n));
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<size_t> search(order.begin(), order.begin() + searchSize);
    std::vector<size_t> holdout(order.begin() + searchSize, order.end());
    // Sorted indices keep file order inside each split: cache-friendly and easy to reason about.
    std::sort(search.begin(), search.end());
    std::sort(holdout.begin(), holdout.end());
    DataSplits splits;
    splits.train = std::make_shared<const ImageSet>(dataset.train);
    splits.search = dataset.test.select(search);
    splits.holdout = std::make_shared<const ImageSet>(dataset.test.select(holdout));
    splits.calibration = dataset.train.head(kCalibrationImages);
    splits.augmentation = dataset.augmentation;
    splits.classNames = dataset.classNames;
    return splits;
}

const ImageSource& splitByName(const DataSplits& splits, const std::string& name)
{
    if (name == "train")
        return *splits.train;
    if (name == "search")
        return splits.search;
    if (name == "holdout" || name == "test")
        return *splits.holdout;
    throw ConfigError("unknown split '" + name + "': expected train, search or holdout");
}

std::shared_ptr<const ImageSource> firstImages(const std::shared_ptr<const ImageSource>& source, size_t count)
{
    if (count == 0 || count >= source->size())
        return source;
    if (const ImageSet* set = source->inMemory())
        return std::make_shared<const ImageSet>(set->head(count));
    if (const auto* folder = dynamic_cast<const ImageFolderSource*>(source.get()))
        return folder->head(count);
    throw ConfigError("cannot limit this image source"); // every source is one of the two
}

} // namespace quantscope
