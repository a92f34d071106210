#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace quantscope::test {

/// Writes IDX image and label files (gzip when the name ends in .gz) for tests.
void writeIdxImages(const std::string& path, uint32_t count, uint32_t rows, uint32_t cols,
                    const std::vector<uint8_t>& pixels);
void writeIdxLabels(const std::string& path, const std::vector<uint8_t>& labels);
void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes);
std::vector<uint8_t> readBytes(const std::string& path);

} // namespace quantscope::test
