#pragma once

#include "idx_fixture.h" // writeBytes, readBytes

#include <cstdint>
#include <string>
#include <vector>

namespace quantscope::test {

/// Writes an 8-bit PNG of `channels` (1: grey, 3: RGB) interleaved channels (libspng's encoder).
void writePng(const std::string& path, int width, int height, int channels, const std::vector<uint8_t>& pixels);
/// Writes a baseline JPEG of `channels` interleaved channels at `quality` (TurboJPEG).
void writeJpeg(const std::string& path, int width, int height, int channels, const std::vector<uint8_t>& pixels,
               int quality = 90);
/// A smooth, seeded test pattern of `channels` interleaved channels (JPEG compresses it as photos).
std::vector<uint8_t> testPattern(int width, int height, int channels, uint64_t seed);

} // namespace quantscope::test
