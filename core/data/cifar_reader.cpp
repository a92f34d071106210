#include "data/cifar_reader.h"

#include "common/error.h"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace quantscope {
namespace {
constexpr int kSide = 32;
constexpr int kChannels = 3;
constexpr size_t kImageBytes = size_t(kChannels) * kSide * kSide;
constexpr size_t kRecordBytes = 1 + kImageBytes;
} // namespace

ImageSet readCifar10(const std::vector<std::string>& batchPaths)
{
    ImageSet set;
    set.channels = kChannels;
    set.height = kSide;
    set.width = kSide;
    for (const std::string& path : batchPaths) {
        if (!std::filesystem::exists(path))
            throw DataError("data file not found: " + path);
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw DataError("cannot open data file: " + path);
        const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        if (bytes.empty() || bytes.size() % kRecordBytes != 0)
            throw DataError("truncated or malformed CIFAR-10 batch " + path + ": " + std::to_string(bytes.size())
                            + " bytes is not a whole number of " + std::to_string(kRecordBytes) + "-byte records");
        const size_t records = bytes.size() / kRecordBytes;
        set.pixels.reserve(set.pixels.size() + records * kImageBytes);
        for (size_t r = 0; r < records; ++r) {
            const uint8_t* record = bytes.data() + r * kRecordBytes;
            if (record[0] > 9)
                throw DataError("invalid CIFAR-10 label " + std::to_string(record[0]) + " in record "
                                + std::to_string(r) + " of " + path);
            set.labels.push_back(record[0]);
            set.pixels.insert(set.pixels.end(), record + 1, record + kRecordBytes);
        }
    }
    return set;
}

} // namespace quantscope
