#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace quantscope {

/// The whole content of a file, decompressed if it is gzip (zlib reads plain files unchanged).
/// Throws `DataError` naming the file when it cannot be opened or its compressed stream is corrupt
/// or cut short.
/// With `limit`, at most `limit + 1` bytes are decompressed: a result longer than `limit` tells the
/// caller the file holds more than it expects, without inflating the rest (a small gzip file can
/// expand to gigabytes).
std::vector<uint8_t> readMaybeGzipFile(const std::string& path, size_t limit = SIZE_MAX - 1);

} // namespace quantscope
