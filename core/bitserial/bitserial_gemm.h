#pragma once

#include "bitserial/bit_planes.h"
#include "bitserial/popcount_kernels.h"

#include <cstdint>
#include <vector>

namespace quantscope::bitserial {

/// out = A W^T in exact integers (a.rows x w.rows, row-major), from bit planes: with A's values
/// `oA + sum_p cA_p a_p` and W's `oW + sum_q cW_q w_q`, each entry is
/// `sum_{p,q} cA_p cW_q popcount(a_p AND w_q) + oW sum(A's planes) + oA sum(W's planes) + depth oA oW`,
/// so any pair of widths runs on AND and popcount. Rows of A are split over `threads`.
/// ConfigError when the depths differ or a result could overflow 32 bits.
std::vector<int32_t> bitSerialGemm(const BitPlanes& a, const BitPlanes& w, KernelPath path, int threads = 1);

} // namespace quantscope::bitserial
