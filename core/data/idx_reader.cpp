#include "data/idx_reader.h"

#include "common/error.h"
#include "data/gzip_file.h"

#include <cstring>

namespace quantscope {
namespace {

uint32_t readBigEndian32(const std::vector<uint8_t>& bytes, size_t offset)
{
    return uint32_t(bytes[offset]) << 24 | uint32_t(bytes[offset + 1]) << 16
        | uint32_t(bytes[offset + 2]) << 8 | uint32_t(bytes[offset + 3]);
}

void requireSize(const std::vector<uint8_t>& bytes, size_t needed, const std::string& path)
{
    if (bytes.size() < needed)
        throw DataError("truncated IDX file " + path + ": expected " + std::to_string(needed)
                        + " bytes, found " + std::to_string(bytes.size()));
}

} // namespace

ImageSet readIdx(const std::string& imagesPath, const std::string& labelsPath)
{
    const std::vector<uint8_t> images = readMaybeGzipFile(imagesPath);
    requireSize(images, 4, imagesPath);
    if (readBigEndian32(images, 0) != 0x00000803)
        throw DataError("not an IDX image file (bad magic number): " + imagesPath);
    requireSize(images, 16, imagesPath);
    const uint32_t count = readBigEndian32(images, 4);
    const uint32_t rows = readBigEndian32(images, 8);
    const uint32_t cols = readBigEndian32(images, 12);
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096)
        throw DataError("implausible image size " + std::to_string(rows) + "x" + std::to_string(cols)
                        + " in " + imagesPath);
    requireSize(images, 16 + size_t(count) * rows * cols, imagesPath);

    const std::vector<uint8_t> labels = readMaybeGzipFile(labelsPath);
    requireSize(labels, 4, labelsPath);
    if (readBigEndian32(labels, 0) != 0x00000801)
        throw DataError("not an IDX label file (bad magic number): " + labelsPath);
    requireSize(labels, 8, labelsPath);
    const uint32_t labelCount = readBigEndian32(labels, 4);
    if (labelCount != count)
        throw DataError("IDX files disagree: " + imagesPath + " has " + std::to_string(count)
                        + " images but " + labelsPath + " has " + std::to_string(labelCount) + " labels");
    requireSize(labels, 8 + size_t(count), labelsPath);

    ImageSet set;
    set.channels = 1;
    set.height = int(rows);
    set.width = int(cols);
    set.pixels.assign(images.begin() + 16, images.begin() + 16 + size_t(count) * rows * cols);
    set.labels.assign(labels.begin() + 8, labels.begin() + 8 + count);
    return set;
}

} // namespace quantscope
