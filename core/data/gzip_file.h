#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace quantscope {

/// The whole content of a file, decompressed if it is gzip (zlib reads plain files unchanged).
/// Throws `DataError` naming the file when it cannot be opened or its compressed stream is corrupt
/// or cut short.
std::vector<uint8_t> readMaybeGzipFile(const std::string& path);

} // namespace quantscope
