#include "common/error.h"
#include "data/cifar_reader.h"
#include "data/dataset.h"
#include "data/idx_reader.h"
#include "idx_fixture.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

#include <numeric>

namespace quantscope {
namespace {

using test::TempDir;

std::vector<uint8_t> ramp(size_t n)
{
    std::vector<uint8_t> v(n);
    std::iota(v.begin(), v.end(), uint8_t{0});
    return v;
}

/// Expects `f` to throw DataError whose message contains `needle`.
template <typename F> void expectDataError(F&& f, const std::string& needle)
{
    try {
        f();
        FAIL() << "expected DataError containing '" << needle << "'";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

TEST(IdxReader, ReadsGzipAndPlainFiles)
{
    TempDir dir;
    const auto pixels = ramp(3 * 4 * 5);
    test::writeIdxImages(dir.file("img.gz"), 3, 4, 5, pixels);
    test::writeIdxLabels(dir.file("lab.gz"), {7, 0, 9});
    test::writeIdxImages(dir.file("img"), 3, 4, 5, pixels);
    test::writeIdxLabels(dir.file("lab"), {7, 0, 9});
    for (const auto& [images, labels] : {std::pair{"img.gz", "lab.gz"}, std::pair{"img", "lab"}}) {
        const ImageSet set = readIdx(dir.file(images), dir.file(labels));
        EXPECT_EQ(set.size(), 3u);
        EXPECT_EQ(set.channels, 1);
        EXPECT_EQ(set.height, 4);
        EXPECT_EQ(set.width, 5);
        EXPECT_EQ(set.pixels, pixels);
        EXPECT_EQ(set.labels, (std::vector<int64_t>{7, 0, 9}));
        EXPECT_EQ(set.classCount(), 10);
    }
}

TEST(IdxReader, MissingFileNamesIt)
{
    TempDir dir;
    expectDataError([&] { readIdx(dir.file("nope.gz"), dir.file("lab.gz")); }, "nope.gz");
}

TEST(IdxReader, TruncatedGzipNamesFile)
{
    TempDir dir;
    test::writeIdxImages(dir.file("img.gz"), 50, 28, 28, std::vector<uint8_t>(50 * 28 * 28, 3));
    test::writeIdxLabels(dir.file("lab.gz"), std::vector<uint8_t>(50, 1));
    auto bytes = test::readBytes(dir.file("img.gz"));
    bytes.resize(bytes.size() / 2);
    test::writeBytes(dir.file("img.gz"), bytes);
    expectDataError([&] { readIdx(dir.file("img.gz"), dir.file("lab.gz")); }, "img.gz");
}

TEST(IdxReader, TruncatedPayloadNamesFile)
{
    TempDir dir;
    // Header promises 10 images but only 2 follow.
    test::writeIdxImages(dir.file("img"), 10, 4, 4, std::vector<uint8_t>(2 * 16, 0));
    test::writeIdxLabels(dir.file("lab"), std::vector<uint8_t>(10, 0));
    expectDataError([&] { readIdx(dir.file("img"), dir.file("lab")); }, "truncated IDX file");
}

TEST(IdxReader, GzipBombIsRefusedWithoutInflatingIt)
{
    // Issue 15: a small .gz whose header describes 10 images but that expands to 64 MB more.
    test::TempDir dir;
    std::vector<uint8_t> pixels(10 * 28 * 28 + (size_t(64) << 20), 0);
    test::writeIdxImages(dir.file("img.gz"), 10, 28, 28, pixels);
    pixels.clear();
    pixels.shrink_to_fit();
    test::writeIdxLabels(dir.file("lbl.gz"), std::vector<uint8_t>(10, 1));
    try {
        readIdx(dir.file("img.gz"), dir.file("lbl.gz"));
        FAIL() << "expected a DataError";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("holds more data than its header describes (10 images of 28x28)"),
                  std::string::npos)
            << e.what();
    }
}

TEST(IdxReader, RejectsWrongMagicAndMismatchedCounts)
{
    TempDir dir;
    test::writeIdxImages(dir.file("img"), 2, 2, 2, std::vector<uint8_t>(8, 0));
    test::writeIdxLabels(dir.file("lab"), {1, 2, 3});
    expectDataError([&] { readIdx(dir.file("img"), dir.file("lab")); }, "disagree");
    expectDataError([&] { readIdx(dir.file("lab"), dir.file("img")); }, "bad magic");
}

TEST(CifarReader, ReadsRecordsAndRejectsPartialOnes)
{
    TempDir dir;
    std::vector<uint8_t> bytes;
    for (uint8_t label : {3, 9}) {
        bytes.push_back(label);
        for (int i = 0; i < 3072; ++i)
            bytes.push_back(uint8_t(i % 251));
    }
    test::writeBytes(dir.file("batch.bin"), bytes);
    const ImageSet set = readCifar10({dir.file("batch.bin")});
    EXPECT_EQ(set.size(), 2u);
    EXPECT_EQ(set.channels, 3);
    EXPECT_EQ(set.labels, (std::vector<int64_t>{3, 9}));
    EXPECT_EQ(set.pixels[1024], uint8_t(1024 % 251)); // first green pixel

    bytes.pop_back();
    test::writeBytes(dir.file("cut.bin"), bytes);
    expectDataError([&] { readCifar10({dir.file("cut.bin")}); }, "cut.bin");
    bytes.assign(3073, 0);
    bytes[0] = 10;
    test::writeBytes(dir.file("label.bin"), bytes);
    expectDataError([&] { readCifar10({dir.file("label.bin")}); }, "invalid CIFAR-10 label 10");
}

TEST(Dataset, MissingDirectoryAndFilesAreNamed)
{
    TempDir dir;
    expectDataError([&] { loadDataset(DatasetKind::FashionMnist, dir.file("absent")); }, "absent");
    expectDataError([&] { loadDataset(DatasetKind::FashionMnist, dir.path().string()); }, "train-images-idx3-ubyte");
    expectDataError([&] { loadDataset(DatasetKind::Cifar10, dir.path().string()); }, "data_batch_1.bin");
    EXPECT_THROW(parseDatasetKind("mnist"), ConfigError);
}

TEST(Dataset, SplitIsDeterministicDisjointAndComplete)
{
    Dataset data;
    data.test.channels = data.test.height = data.test.width = 1;
    for (int i = 0; i < 100; ++i) {
        data.test.pixels.push_back(uint8_t(i));
        data.test.labels.push_back(i % 10);
    }
    const DataSplits a = splitDataset(data, 20, 7);
    const DataSplits b = splitDataset(data, 20, 7);
    const DataSplits c = splitDataset(data, 20, 8);
    EXPECT_EQ(a.search.pixels, b.search.pixels);
    EXPECT_NE(a.search.pixels, c.search.pixels);
    ASSERT_EQ(a.search.size(), 20u);
    ASSERT_EQ(a.holdout->size(), 80u);
    std::vector<int> seen(100, 0);
    for (uint8_t p : a.search.pixels)
        ++seen[p];
    for (uint8_t p : a.holdout->inMemory()->pixels)
        ++seen[p];
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 100);
    EXPECT_THROW(splitDataset(data, 100, 0), ConfigError);
}

} // namespace
} // namespace quantscope
