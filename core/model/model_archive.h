#pragma once

#include <string>

namespace quantscope {

/// Checks a model file's zip container before LibTorch reads it (LibTorch 1.13 does not verify the
/// members' CRC-32, so flipped weight bytes load and evaluate silently wrong): every member is read
/// through and its CRC checked, in bounded memory. ModelError naming the file and the damaged
/// member, or a declared size far beyond what the file can hold (a decompression bomb). A file that
/// is not a zip archive at all passes: the loaders report what it is instead.
void checkModelArchive(const std::string& path);

} // namespace quantscope
