// Image folders: the index as torchvision's ImageFolder builds it, the splits, streaming, and
// every kind of bad input named (docs/data.md). LibTorch-free: runs under the sanitizers too.
#include "data/batch_prefetcher.h"
#include "data/data_settings.h"
#include "data/decoded_image_cache.h"
#include "data/image_decoder.h"
#include "data/image_folder.h"
#include "data/image_folder_source.h"
#include "data/image_transforms.h"

#include "common/error.h"
#include "image_files.h"
#include "temp_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <zlib.h>

#include <filesystem>
#include <numeric>
#include <set>

namespace quantscope {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using ::testing::HasSubstr;

/// `count` grey 16x16 PNGs of class `name` under `root`, each a different pattern.
void writeClass(const fs::path& root, const std::string& name, int count, int size = 16, int channels = 1)
{
    fs::create_directories(root / name);
    for (int i = 0; i < count; ++i)
        test::writePng((root / name / ("img" + std::to_string(i) + ".png")).string(), size, size, channels,
                       test::testPattern(size, size, channels, uint64_t(i + 100 * int(name[0]))));
}

/// The message `call` throws as `E`, or "" when it does not throw.
template <typename E, typename F> std::string messageOf(F&& call)
{
    try {
        call();
    } catch (const E& e) {
        return e.what();
    }
    return {};
}

DataSettings folderSettings(const fs::path& dir, size_t searchSize)
{
    DataSettings settings;
    settings.dataset = "imagefolder";
    settings.dataDir = dir.string();
    settings.searchSize = searchSize;
    settings.folder.workers = 2;
    return settings;
}

TEST(ImageFolder, IndexesClassesAndFilesInTorchvisionsOrder)
{
    TempDir dir;
    const fs::path root = dir.path();
    for (const char* name : {"zebra", "Apple", "cat"})
        fs::create_directories(root / name);
    const std::vector<uint8_t> pixels = test::testPattern(8, 8, 1, 1);
    // Files below a class folder count, walked as sorted(os.walk()) then sorted names.
    for (const char* file : {"cat/b.png", "cat/A.PNG", "cat/sub/c.jpeg", "cat/sub-2/d.png", "zebra/x.webp"})
        fs::create_directories((root / file).parent_path());
    test::writePng((root / "cat/b.png").string(), 8, 8, 1, pixels);
    test::writePng((root / "cat/A.PNG").string(), 8, 8, 1, pixels);
    test::writeJpeg((root / "cat/sub/c.jpeg").string(), 8, 8, 1, pixels);
    test::writePng((root / "cat/sub-2/d.png").string(), 8, 8, 1, pixels);
    test::writePng((root / "zebra/x.webp").string(), 8, 8, 1, pixels); // named by extension; decoded by content
    // Left out: hidden files and folders, other extensions, files beside the class folders.
    test::writePng((root / "cat/.hidden.png").string(), 8, 8, 1, pixels);
    test::writeBytes((root / "cat/notes.txt").string(), {'h', 'i'});
    test::writePng((root / "loose.png").string(), 8, 8, 1, pixels);
    fs::create_directories(root / ".ipynb_checkpoints");

    const ImageFolderIndex index = indexImageFolder(root.string());
    EXPECT_EQ(index.classes, (std::vector<std::string>{"Apple", "cat", "zebra"})); // byte order, as Python sorts
    EXPECT_EQ(index.classCounts, (std::vector<size_t>{0, 4, 1}));
    ASSERT_EQ(index.size(), 5u);
    const std::string r = root.string();
    EXPECT_EQ(index.path(0), r + "/cat/A.PNG");
    EXPECT_EQ(index.path(1), r + "/cat/b.png");
    EXPECT_EQ(index.path(2), r + "/cat/sub/c.jpeg");
    EXPECT_EQ(index.path(3), r + "/cat/sub-2/d.png");
    EXPECT_EQ(index.path(4), r + "/zebra/x.webp");
    EXPECT_EQ(index.labels, (std::vector<int32_t>{1, 1, 1, 1, 2}));
    const std::string notes = ::testing::PrintToString(index.warnings);
    EXPECT_THAT(notes, HasSubstr("class 'Apple' has no images"));
    EXPECT_THAT(notes, HasSubstr(".ipynb_checkpoints is not a class"));
}

TEST(ImageFolder, SymbolicLinkLoopEndsAndEachFolderIsIndexedOnce)
{
    TempDir dir;
    writeClass(dir.path(), "a", 2);
    writeClass(dir.path(), "b", 1);
    fs::create_directory_symlink(dir.path() / "a", dir.path() / "a" / "again"); // a loop
    const ImageFolderIndex index = indexImageFolder(dir.path().string());
    EXPECT_EQ(index.classCounts, (std::vector<size_t>{2, 1}));
    EXPECT_THAT(::testing::PrintToString(index.warnings), HasSubstr("reached again through a symbolic link"));
}

TEST(ImageFolder, BadImagesAreNamed)
{
    TempDir dir;
    const std::vector<uint8_t> pixels = test::testPattern(160, 120, 3, 2);
    test::writeJpeg(dir.file("good.jpg"), 160, 120, 3, pixels);
    std::vector<uint8_t> jpeg = test::readBytes(dir.file("good.jpg"));
    jpeg.resize(jpeg.size() / 2); // inside the scan: PIL says "image file is truncated"
    test::writeBytes(dir.file("truncated.jpg"), jpeg);
    test::writeBytes(dir.file("text.jpg"), {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'});
    test::writeBytes(dir.file("empty.png"), {});
    test::writeBytes(dir.file("scan.tif"), {'I', 'I', '*', 0, 8, 0, 0, 0});
    std::vector<uint8_t> png;
    test::writePng(dir.file("good.png"), 160, 120, 3, pixels);
    png = test::readBytes(dir.file("good.png"));
    png[20] ^= 0xFF; // inside IHDR: its CRC fails
    test::writeBytes(dir.file("bad_crc.png"), png);

    EXPECT_EQ(decodeImageFile(dir.file("good.jpg"), ColorMode::Rgb).width, 160);
    const auto decodeError = [&](const std::string& name) {
        return messageOf<ImageError>([&] { decodeImageFile(dir.file(name), ColorMode::Rgb); });
    };
    EXPECT_THAT(decodeError("truncated.jpg"), HasSubstr("truncated.jpg: damaged JPEG data"));
    EXPECT_THAT(decodeError("text.jpg"), HasSubstr("text.jpg: not an image Quantscope can read"));
    EXPECT_THAT(decodeError("empty.png"), HasSubstr("empty.png: the file is empty"));
    EXPECT_THAT(decodeError("scan.tif"), HasSubstr("scan.tif: TIFF images are not supported"));
    EXPECT_THAT(decodeError("bad_crc.png"), HasSubstr("bad_crc.png: damaged PNG"));
    EXPECT_THAT(decodeError("absent.png"), HasSubstr("absent.png: cannot open"));
}

TEST(ImageFolder, HostileHeadersAreRefusedBeforeAllocating)
{
    TempDir dir;
    test::writePng(dir.file("small.png"), 4, 4, 1, std::vector<uint8_t>(16, 7));
    std::vector<uint8_t> png = test::readBytes(dir.file("small.png"));
    // IHDR's width and height (bytes 16..23) claim 100000 x 100000 pixels, its CRC (29..32) made to match.
    for (size_t at : {16, 20})
        png[at] = 0, png[at + 1] = 0x01, png[at + 2] = 0x86, png[at + 3] = 0xA0;
    const uLong crc = crc32(0, png.data() + 12, 17);
    for (size_t k = 0; k < 4; ++k)
        png[29 + k] = uint8_t(crc >> (24 - 8 * k));
    test::writeBytes(dir.file("bomb.png"), png);
    EXPECT_THAT(messageOf<ImageError>([&] { decodeImageFile(dir.file("bomb.png"), ColorMode::Gray); }),
                HasSubstr("bomb.png: the image is 100000x100000 pixels, more than the 178956970"));
    EXPECT_THAT(messageOf<ImageError>([&] { readImageHeader(dir.file("bomb.png")); }),
                HasSubstr("bomb.png: the image is 100000x100000 pixels"));
}

TEST(ImageFolder, BadImageFailsTheLoadUnlessSkipped)
{
    TempDir dir;
    writeClass(dir.path(), "a", 6);
    writeClass(dir.path(), "b", 6);
    test::writeBytes(dir.file("b/zz_broken.png"), {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0});
    DataSettings settings = folderSettings(dir.path(), 0);
    const std::string error = messageOf<ImageError>([&] { loadSplits(settings); });
    EXPECT_THAT(error, HasSubstr("zz_broken.png: damaged PNG"));

    settings.folder.onBadImage = "skip";
    const DataSplits splits = loadSplits(settings);
    EXPECT_EQ(splits.calibration.size() + splits.holdout->size(), 12u); // 13 files, one skipped
    EXPECT_THAT(::testing::PrintToString(splits.notes), HasSubstr("zz_broken.png"));
}

TEST(ImageFolder, MixedSizesNeedAResizeAndCrop)
{
    TempDir dir;
    writeClass(dir.path(), "a", 3, 16);
    writeClass(dir.path(), "b", 3, 16);
    test::writePng(dir.file("b/odd.png"), 30, 20, 1, test::testPattern(30, 20, 1, 3));
    DataSettings settings = folderSettings(dir.path(), 2);
    const std::string error = messageOf<DataError>([&] { loadSplits(settings); });
    EXPECT_THAT(error, HasSubstr("is 20x30 (HxW) but"));
    EXPECT_THAT(error, HasSubstr("is 16x16: images of mixed sizes need --resize and --crop"));

    settings.folder.resize = "12";
    settings.folder.crop = "10";
    const DataSplits splits = loadSplits(settings);
    EXPECT_EQ(splits.shape(), (ImageShape{3, 10, 10})); // RGB: torchvision's loader, no network to follow
    EXPECT_EQ(splits.search.size(), 2u);
}

TEST(ImageFolder, FoldersWithoutImagesOrWithOneClassAreRefused)
{
    TempDir dir;
    EXPECT_THAT(messageOf<DataError>([&] { loadSplits(folderSettings(dir.path(), 0)); }),
                HasSubstr("has no class folders"));
    fs::create_directories(dir.path() / "a");
    fs::create_directories(dir.path() / "b");
    EXPECT_THAT(messageOf<DataError>([&] { loadSplits(folderSettings(dir.path(), 0)); }), HasSubstr("holds no images"));
    fs::remove_all(dir.path() / "b");
    writeClass(dir.path(), "a", 3);
    EXPECT_THAT(messageOf<DataError>([&] { loadSplits(folderSettings(dir.path(), 0)); }),
                HasSubstr("has one class folder ('a')"));
    EXPECT_THAT(messageOf<DataError>([&] { loadSplits(folderSettings(dir.path() / "absent", 0)); }),
                HasSubstr("image folder not found"));
    DataSettings noDir = folderSettings(dir.path(), 0);
    noDir.dataDir.clear();
    EXPECT_THAT(messageOf<ConfigError>([&] { loadSplits(noDir); }), HasSubstr("needs its folder: --data-dir"));
    writeClass(dir.path(), "b", 3);
    EXPECT_THAT(messageOf<ConfigError>([&] { loadSplits(folderSettings(dir.path(), 5)); }),
                HasSubstr("lower the search split's size (--search-size)"));
}

TEST(ImageFolder, TrainAndValFoldersSplitAsDocumented)
{
    TempDir dir;
    for (const char* name : {"a", "b"}) {
        writeClass(dir.path() / "train", name, 10);
        writeClass(dir.path() / "val", name, 4);
    }
    DataSplits splits = loadSplits(folderSettings(dir.path(), 6));
    EXPECT_EQ(splits.holdout->size(), 8u);              // all of val/
    EXPECT_EQ(splits.search.size(), 6u);                // from train/
    EXPECT_EQ(splits.train->size(), 14u);               // the rest of train/
    EXPECT_EQ(splits.calibration.size(), 14u);          // a sample of the training images
    EXPECT_EQ(splits.shape(), (ImageShape{3, 16, 16})); // RGB unless the network takes one channel
    EXPECT_EQ(splits.classNames, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(loadSplits(folderSettings(dir.path(), 6), 1).shape().channels, 1);

    writeClass(dir.path() / "val", "c", 1);
    EXPECT_THAT(messageOf<ConfigError>([&] { loadSplits(folderSettings(dir.path(), 6)); }),
                HasSubstr("val/c is not a class of the training folder"));
}

TEST(ImageFolder, ATrainFolderWithoutAHoldOutFolderIsRefused)
{
    TempDir dir;
    writeClass(dir.path() / "train", "a", 3);
    writeClass(dir.path() / "train", "b", 3);
    writeClass(dir.path() / "valid", "a", 2); // not a name Quantscope takes for the hold-out folder
    EXPECT_THAT(messageOf<DataError>([&] { loadSplits(folderSettings(dir.path(), 1)); }),
                HasSubstr("has train/ but no val/ (or validation/, test/) beside it"));
    EXPECT_EQ(loadSplits(folderSettings(dir.path() / "train", 1)).classNames, (std::vector<std::string>{"a", "b"}));
}

TEST(ImageFolder, ALimitKeepsARandomPartOfEverySplit)
{
    TempDir dir;
    for (const char* name : {"a", "b"}) {
        writeClass(dir.path() / "train", name, 10);
        writeClass(dir.path() / "val", name, 10);
    }
    DataSettings settings = folderSettings(dir.path(), 8);
    settings.limit = 6;
    const DataSplits splits = loadSplits(settings);
    EXPECT_EQ(splits.holdout->size(), 6u);
    EXPECT_EQ(splits.search.size(), 6u);
    EXPECT_EQ(splits.train->size(), 6u);
    // Not the first classes of the file order: both classes in every split.
    for (const ImageSource* split :
         {splits.holdout.get(), static_cast<const ImageSource*>(&splits.search), splits.train.get()}) {
        const std::vector<size_t> counts = classCounts(*split, 2);
        EXPECT_GT(counts[0], 0u);
        EXPECT_GT(counts[1], 0u);
    }
}

TEST(ImageFolder, OnlyEightBitPnmIsRead)
{
    TempDir dir;
    const std::string header = "P5 2 2 15\n";
    std::vector<uint8_t> pgm(header.begin(), header.end());
    pgm.insert(pgm.end(), {0, 5, 10, 15});
    test::writeBytes(dir.file("four_bit.pgm"), pgm);
    EXPECT_THAT(messageOf<ImageError>([&] { decodeImageFile(dir.file("four_bit.pgm"), ColorMode::Gray); }),
                HasSubstr("four_bit.pgm: PGM/PPM with maximum value 15 is not supported"));
}

TEST(ImageFolder, OneFolderIsSplitBySeedIntoDisjointParts)
{
    TempDir dir;
    writeClass(dir.path(), "a", 20);
    writeClass(dir.path(), "b", 20);
    DataSettings settings = folderSettings(dir.path(), 10);
    const DataSplits first = loadSplits(settings);
    EXPECT_EQ(first.holdout->size(), 8u); // 20 %
    EXPECT_EQ(first.search.size(), 10u);
    EXPECT_EQ(first.train->size(), 22u);
    const auto* holdout = dynamic_cast<const ImageFolderSource*>(first.holdout.get());
    const auto* train = dynamic_cast<const ImageFolderSource*>(first.train.get());
    ASSERT_TRUE(holdout && train);
    std::set<std::string> seen;
    for (size_t i = 0; i < holdout->size(); ++i)
        seen.insert(holdout->path(i));
    for (size_t i = 0; i < train->size(); ++i)
        EXPECT_TRUE(seen.insert(train->path(i)).second) << train->path(i) << " is in two splits";
    EXPECT_EQ(loadSplits(settings).search.pixels, first.search.pixels); // the seed decides
    settings.splitSeed = 1;
    EXPECT_NE(loadSplits(settings).search.pixels, first.search.pixels);
}

TEST(ImageFolder, StreamedBatchesDoNotDependOnTheThreads)
{
    TempDir dir;
    writeClass(dir.path(), "a", 9, 20, 3);
    writeClass(dir.path(), "b", 9, 20, 3);
    auto index = std::make_shared<const ImageFolderIndex>(indexImageFolder(dir.path().string()));
    std::vector<uint32_t> members(index->size());
    std::iota(members.begin(), members.end(), 0u);
    ImageFolderReading reading;
    reading.transform = ImagePreprocessing::parse("18", "16");
    const ImageFolderSource source(index, members, reading, std::make_shared<DecodedImageCache>(size_t(1) << 20));
    Augmentation augmentation;
    augmentation.randomResizedCrop = augmentation.horizontalFlip = true;
    const auto batches = [&](int threads, bool augmented) {
        uint64_t seed = 0;
        BatchPrefetcher::Planner plan = [&, cursor = size_t(0)](BatchPlan& p) mutable {
            if (cursor >= members.size())
                return false;
            for (size_t k = 0; k < 4 && cursor < members.size(); ++k, ++cursor) {
                p.indices.push_back((cursor * 7) % members.size());
                if (augmented)
                    p.seeds.push_back(++seed);
            }
            return true;
        };
        BatchPrefetcher prefetcher(source, plan, augmentation, threads, 3);
        std::vector<uint8_t> all;
        std::vector<int64_t> labels;
        while (std::optional<PixelBatch> batch = prefetcher.next()) {
            all.insert(all.end(), batch->pixels.begin(), batch->pixels.end());
            labels.insert(labels.end(), batch->labels.begin(), batch->labels.end());
        }
        EXPECT_EQ(labels.size(), members.size());
        return all;
    };
    const std::vector<uint8_t> one = batches(1, false);
    EXPECT_EQ(one.size(), members.size() * 3 * 16 * 16);
    EXPECT_EQ(batches(4, false), one);
    const std::vector<uint8_t> augmented = batches(1, true);
    EXPECT_EQ(batches(3, true), augmented);
    EXPECT_NE(augmented, one);
}

TEST(ImageFolder, DecodedImageCacheStaysWithinItsBudget)
{
    DecodedImageCache cache(1000);
    const int owner = 0;
    for (uint64_t i = 0; i < 20; ++i) {
        auto image = std::make_shared<DecodedImage>();
        image->pixels.assign(300, uint8_t(i));
        cache.insert({&owner, i}, image);
        EXPECT_LE(cache.heldBytes(), 1000u);
    }
    EXPECT_EQ(cache.find({&owner, 0}), nullptr); // the oldest went first
    ASSERT_NE(cache.find({&owner, 19}), nullptr);
    EXPECT_EQ(cache.find({&owner, 19})->pixels.front(), 19);
    auto huge = std::make_shared<DecodedImage>();
    huge->pixels.assign(2000, 0);
    cache.insert({&owner, 99}, huge); // larger than the budget: not kept
    EXPECT_EQ(cache.find({&owner, 99}), nullptr);
}

TEST(ImageTransforms, SizesAndCropsAsTorchvision)
{
    const ImagePreprocessing p = ImagePreprocessing::parse("256", "224");
    EXPECT_EQ(p.resized({375, 500}), (ImageSize{256, 341})); // int(256 * 500 / 375)
    EXPECT_EQ(p.resized({500, 375}), (ImageSize{341, 256}));
    EXPECT_EQ(p.output({500, 375}), (ImageSize{224, 224}));
    EXPECT_EQ(p.describe(), "Resize(256), CenterCrop(224)");
    EXPECT_EQ(ImagePreprocessing::parse("32x48", "").describe(), "Resize((32, 48))");
    EXPECT_EQ(ImagePreprocessing::parse("", "20x10").describe(), "CenterCrop((20, 10))");
    EXPECT_FALSE(ImagePreprocessing::parse("256", "").fixedOutput()); // aspect ratios differ
    EXPECT_THAT(messageOf<ConfigError>([] { ImagePreprocessing::parse("big", ""); }), HasSubstr("--resize 'big'"));
    EXPECT_THAT(messageOf<ConfigError>([] { ImagePreprocessing::parse("", "0"); }), HasSubstr("--crop '0'"));

    // CenterCrop of an odd margin rounds half to even: (5 - 2) / 2 = 1.5 -> 2; (7 - 2) / 2 = 2.5 -> 2.
    DecodedImage row{5, 1, 1, {0, 1, 2, 3, 4}};
    std::vector<uint8_t> out(2);
    preprocessImage(row, ImagePreprocessing::parse("", "1x2"), out.data());
    EXPECT_EQ(out, (std::vector<uint8_t>{2, 3}));
    DecodedImage seven{7, 1, 1, {0, 1, 2, 3, 4, 5, 6}};
    preprocessImage(seven, ImagePreprocessing::parse("", "1x2"), out.data());
    EXPECT_EQ(out, (std::vector<uint8_t>{2, 3}));
    // A crop larger than the image pads with zeros, the odd pixel on the right/bottom.
    std::vector<uint8_t> padded(4 * 3);
    DecodedImage two{2, 1, 1, {9, 8}};
    preprocessImage(two, ImagePreprocessing::parse("", "3x4"), padded.data());
    EXPECT_EQ(padded, (std::vector<uint8_t>{0, 0, 0, 0, 0, 9, 8, 0, 0, 0, 0, 0}));
}

TEST(ImageTransforms, GreyFromRgbUsesPilsLuma)
{
    TempDir dir;
    test::writePng(dir.file("rgb.png"), 2, 1, 3, {255, 0, 0, 10, 200, 30});
    const DecodedImage grey = decodeImageFile(dir.file("rgb.png"), ColorMode::Gray);
    ASSERT_EQ(grey.channels, 1);
    EXPECT_EQ(grey.pixels, (std::vector<uint8_t>{76, 124})); // (r*19595 + g*38470 + b*7471 + 2^15) >> 16
    test::writePng(dir.file("grey.png"), 2, 1, 1, {7, 250});
    EXPECT_EQ(decodeImageFile(dir.file("grey.png"), ColorMode::Rgb).pixels,
              (std::vector<uint8_t>{7, 7, 7, 250, 250, 250}));
}

} // namespace
} // namespace quantscope
