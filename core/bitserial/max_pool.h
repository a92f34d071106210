#pragma once

#include <cstddef>

namespace quantscope::bitserial {

/// A square max pooling window over NCHW planes (no dilation, floor rounding of the output size).
struct PoolWindow {
    int kernel = 2;
    int stride = 2;
    int padding = 0; ///< padded positions never win: they count as -infinity
    int outSize(int size) const { return (size + 2 * padding - kernel) / stride + 1; }
};

/// Max pooling of `planes` planes of height x width (NCHW: N x C planes) into `out`, planes
/// [begin, end) only, so that callers can split the planes over threads. Equal to LibTorch's
/// max_pool2d for finite inputs (a NaN need not win). The bit-serial engine's pooling: LibTorch
/// 1.13's CPU max_pool2d spends 12 ms on 64 x 32 x 28 x 28 on one core, longer than the
/// convolution before it.
void maxPool2d(const float* in, int height, int width, const PoolWindow& window, float* out, std::size_t begin,
               std::size_t end);

} // namespace quantscope::bitserial
