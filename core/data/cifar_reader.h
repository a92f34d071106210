#pragma once

#include "data/image_set.h"

#include <string>
#include <vector>

namespace quantscope {

/// Reads CIFAR-10 binary batches (the format of cifar-10-binary.tar.gz, used by NUQ): records of
/// one label byte followed by 3 x 32 x 32 pixel bytes, red then green then blue planes.
/// Throws `DataError` naming the file when it is missing, empty, or not a whole number of records.
ImageSet readCifar10(const std::vector<std::string>& batchPaths);

} // namespace quantscope
