#pragma once

#include <cstdint>
#include <vector>

namespace quantscope::bitserial {

/// The instruction sets a bit-serial product can count bits with, chosen at run time: portable C++
/// everywhere, AVX2 (a nibble table through vpshufb; AVX2 has no vector popcount) and AVX-512
/// VPOPCNTDQ (eight 64-bit counts per instruction) where the CPU and OS support them.
enum class KernelPath { Portable, Avx2, Avx512 };

const char* kernelPathName(KernelPath path);
/// Portable first, then every vector path this CPU runs, fastest last.
std::vector<KernelPath> supportedKernelPaths();
KernelPath fastestKernelPath();

/// popcount(a & b) summed over `words` 64-bit words.
using AndPopcount = uint64_t (*)(const uint64_t* a, const uint64_t* b, int words);
/// The path's kernel; ConfigError when this CPU cannot run it.
AndPopcount andPopcountKernel(KernelPath path);

} // namespace quantscope::bitserial
