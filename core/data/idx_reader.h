#pragma once

#include "data/image_set.h"

#include <string>

namespace quantscope {

/// Reads an image file and a label file in the IDX format of MNIST and Fashion-MNIST
/// (big-endian magic 0x00000803 for images, 0x00000801 for labels). Files may be gzip
/// compressed or plain. Throws `DataError` naming the file when it is missing, truncated,
/// has the wrong magic number, or when the two files disagree on the number of items.
ImageSet readIdx(const std::string& imagesPath, const std::string& labelsPath);

} // namespace quantscope
