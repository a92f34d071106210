#pragma once

#include <string>

namespace quantscope {

/// The shipped default model (VGG-11-style on Fashion-MNIST): $QUANTSCOPE_DEFAULT_MODEL if set,
/// else the copy in the source tree this was built from, else the installed copy.
std::string defaultModelPath();

} // namespace quantscope
