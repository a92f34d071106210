#pragma once

#include "data/image_set.h"

#include <cstdint>

namespace quantscope::test {

/// A learnable toy data set: class k is a bright 6x6 square at a class-specific place on noise.
/// 1 x 28 x 28 like Fashion-MNIST, `perClass` images of each of 10 classes, seeded.
ImageSet syntheticImages(int perClass, uint64_t seed);

} // namespace quantscope::test
