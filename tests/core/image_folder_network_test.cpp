// An image folder feeds a network exactly as the data set's own files do: Fashion-MNIST's test
// set written as PNG files in class folders scores the shipped model as the IDX files do.
#include "data/data_settings.h"
#include "data/image_folder_source.h"
#include "model/default_model.h"
#include "study/study_network.h"
#include "train/quantized_evaluation.h"
#include "train/batches.h"
#include "train/trainer.h"

#include "image_files.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <numeric>
#include <sstream>

namespace quantscope {
namespace {

namespace fs = std::filesystem;

/// `set`'s images as PNG files `<root>/<label>-<class name>/<index in set>.png`: the label first, so
/// that the sorted folder names give the data set's label order.
void writeFolder(const ImageSet& set, const std::vector<std::string>& names, const fs::path& root)
{
    std::vector<std::string> classNames;
    for (size_t c = 0; c < names.size(); ++c) {
        std::string name = std::to_string(c) + "-" + names[c];
        std::replace(name.begin(), name.end(), '/', '-'); // "T-shirt/top"
        classNames.push_back(name);
        fs::create_directories(root / name);
    }
    const size_t bytes = set.imageBytes();
    for (size_t i = 0; i < set.size(); ++i) {
        std::ostringstream name;
        name << std::setw(5) << std::setfill('0') << i << ".png";
        const std::vector<uint8_t> pixels(set.pixels.begin() + long(i * bytes),
                                          set.pixels.begin() + long((i + 1) * bytes));
        test::writePng((root / classNames[size_t(set.labels[i])] / name.str()).string(), set.width, set.height, 1,
                       pixels);
    }
}

TEST(ImageFolderNetwork, FashionMnistAsPngFilesScoresExactlyAsItsIdxFiles)
{
    const Dataset data = loadDataset(DatasetKind::FashionMnist);
    test::TempDir dir;
    // train/: the first 1,024 training images; val/: the whole test set, the hold-out split.
    writeFolder(data.train.head(kCalibrationImages), data.classNames, dir.path() / "train");
    writeFolder(data.test, data.classNames, dir.path() / "val");
    DataSettings settings;
    settings.dataset = "imagefolder";
    settings.dataDir = dir.path().string();
    settings.searchSize = 200;
    const NetworkWithData opened = openNetworkWithData({}, {}, {}, settings);
    const ImageSource& holdout = *opened.splits.holdout;
    ASSERT_EQ(holdout.size(), data.test.size());
    ASSERT_EQ(opened.splits.shape(), (ImageShape{1, 28, 28})); // grey: the shipped model takes one channel
    EXPECT_EQ(opened.splits.classNames.size(), 10u);

    // Every image decodes to the IDX file's pixels, under the IDX file's label.
    const auto* folder = dynamic_cast<const ImageFolderSource*>(&holdout);
    ASSERT_NE(folder, nullptr);
    std::vector<uint8_t> pixels(holdout.shape().bytes());
    std::vector<size_t> inIdxFile;
    for (size_t i = 0; i < holdout.size(); ++i) {
        const size_t idx = size_t(std::stoul(fs::path(folder->path(i)).stem().string()));
        inIdxFile.push_back(idx);
        holdout.read(i, pixels.data());
        ASSERT_TRUE(std::equal(pixels.begin(), pixels.end(), data.test.pixels.begin() + long(idx * pixels.size())))
            << folder->path(i);
        ASSERT_EQ(holdout.label(i), data.test.labels[idx]);
    }

    // Float and quantized (DSConv: no calibration) accuracy on the 10,000 images: the same.
    Network network = Network::load(defaultModelPath());
    EXPECT_DOUBLE_EQ(evaluateAccuracy(network, holdout), evaluateAccuracy(network, data.test));
    EvaluationRequest request;
    request.bits = BitConfig::parse("4,4,3,3,3,3,2,2,8", network.layerNames());
    const EvaluationResult fromFolder =
        evaluateConfiguration(network, EvaluationData::of(opened.splits, holdout), request);
    const ImageSet calibration = data.train.head(kCalibrationImages);
    const EvaluationResult fromIdx =
        evaluateConfiguration(network, EvaluationData{data.train, Augmentation{}, calibration, data.test}, request);
    EXPECT_DOUBLE_EQ(fromFolder.accuracy, fromIdx.accuracy);
    EXPECT_LT(fromIdx.accuracy, 90.0); // a configuration that quantization changes

    // Uniform quantization calibrates activation ranges: calibrated alike, the same result (on
    // 2,000 of the images, in the folder's order).
    request.quant.quantizer = QuantizerKind::Uniform;
    const auto first = folder->head(2000);
    const ImageSet same = data.test.select(std::vector<size_t>(inIdxFile.begin(), inIdxFile.begin() + 2000));
    EXPECT_DOUBLE_EQ(
        evaluateConfiguration(network, EvaluationData{data.train, Augmentation{}, calibration, *first}, request)
            .accuracy,
        evaluateConfiguration(network, EvaluationData{data.train, Augmentation{}, calibration, same}, request)
            .accuracy);
}

TEST(ImageFolderNetwork, TrainingGoesOnWhenAWholeBatchIsSkipped)
{
    test::TempDir dir;
    for (const char* name : {"a", "b"}) {
        fs::create_directories(dir.path() / name);
        for (int i = 0; i < 3; ++i)
            test::writePng((dir.path() / name / (std::to_string(i) + ".png")).string(), 28, 28, 1,
                           test::testPattern(28, 28, 1, uint64_t(i)));
    }
    test::writeBytes((dir.path() / "a" / "broken.png").string(), {1, 2, 3});
    auto index = std::make_shared<const ImageFolderIndex>(indexImageFolder(dir.path().string()));
    std::vector<uint32_t> members(index->size());
    std::iota(members.begin(), members.end(), 0u);
    ImageFolderReading reading;
    reading.color = ColorMode::Gray;
    reading.onBadImage = BadImagePolicy::Skip;
    const ImageFolderSource source(index, members, reading);
    std::vector<std::string> warnings;
    WorkControl control;
    control.warning = [&](const std::string& message) { warnings.push_back(message); };
    std::mt19937_64 rng(0);
    // Batches of one: the broken image is a whole batch, drawn at least once in every 7 steps.
    TrainingBatches batches(source, 1, nullptr, rng, 15);
    ModelSpec spec;
    for (int step = 0; step < 15; ++step)
        EXPECT_EQ(batches.next(spec, "cpu", control).second.size(0), 1);
    ASSERT_EQ(warnings.size(), 1u); // named once, not at every epoch
    EXPECT_NE(warnings.front().find("broken.png"), std::string::npos) << warnings.front();
}

} // namespace
} // namespace quantscope
