#include "data/idx_reader.h"

#include "common/error.h"
#include "data/gzip_file.h"

#include <cstring>

namespace quantscope {
namespace {

uint32_t readBigEndian32(const std::vector<uint8_t>& bytes, size_t offset)
{
    return uint32_t(bytes[offset]) << 24 | uint32_t(bytes[offset + 1]) << 16 | uint32_t(bytes[offset + 2]) << 8
        | uint32_t(bytes[offset + 3]);
}

void requireSize(const std::vector<uint8_t>& bytes, size_t needed, const std::string& path)
{
    if (bytes.size() < needed)
        throw DataError("truncated IDX file " + path + ": expected " + std::to_string(needed) + " bytes, found "
                        + std::to_string(bytes.size()));
}

} // namespace

ImageSet readIdx(const std::string& imagesPath, const std::string& labelsPath)
{
    // Headers first; then exactly the bytes they describe, so that a file expanding to more (a
    // gzip bomb) is refused without inflating it.
    const std::vector<uint8_t> header = readMaybeGzipFile(imagesPath, 16);
    requireSize(header, 4, imagesPath);
    if (readBigEndian32(header, 0) != 0x00000803)
        throw DataError("not an IDX image file (bad magic number): " + imagesPath);
    requireSize(header, 16, imagesPath);
    const uint32_t count = readBigEndian32(header, 4);
    const uint32_t rows = readBigEndian32(header, 8);
    const uint32_t cols = readBigEndian32(header, 12);
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096)
        throw DataError("implausible image size " + std::to_string(rows) + "x" + std::to_string(cols) + " in "
                        + imagesPath);
    const std::vector<uint8_t> labelHeader = readMaybeGzipFile(labelsPath, 8);
    requireSize(labelHeader, 4, labelsPath);
    if (readBigEndian32(labelHeader, 0) != 0x00000801)
        throw DataError("not an IDX label file (bad magic number): " + labelsPath);
    requireSize(labelHeader, 8, labelsPath);
    const uint32_t labelCount = readBigEndian32(labelHeader, 4);
    if (labelCount != count)
        throw DataError("IDX files disagree: " + imagesPath + " has " + std::to_string(count) + " images but "
                        + labelsPath + " has " + std::to_string(labelCount) + " labels");

    const auto readExactly = [](const std::string& path, size_t expected, const std::string& described) {
        std::vector<uint8_t> bytes = readMaybeGzipFile(path, expected);
        requireSize(bytes, expected, path);
        if (bytes.size() > expected)
            throw DataError("IDX file " + path + " holds more data than its header describes (" + described + ")");
        return bytes;
    };
    const std::string described =
        std::to_string(count) + " images of " + std::to_string(rows) + "x" + std::to_string(cols);
    const std::vector<uint8_t> images = readExactly(imagesPath, 16 + size_t(count) * rows * cols, described);
    const std::vector<uint8_t> labels = readExactly(labelsPath, 8 + size_t(count), std::to_string(count) + " labels");

    ImageSet set;
    set.channels = 1;
    set.height = int(rows);
    set.width = int(cols);
    set.pixels.assign(images.begin() + 16, images.begin() + 16 + size_t(count) * rows * cols);
    set.labels.assign(labels.begin() + 8, labels.begin() + 8 + count);
    return set;
}

} // namespace quantscope
