#pragma once

#include <algorithm>
#include <string>
#include <thread>

namespace quantscope {

/// Whether this LibTorch has CUDA and a GPU is present (Debian's LibTorch is CPU-only).
bool cudaAvailable();

/// "cpu" or "cuda" for a requested "cpu", "cuda" or "auto"; ConfigError for anything else or for
/// "cuda" without a GPU.
std::string resolveDevice(const std::string& requested);

/// The most compute threads setComputeThreads accepts: 4 per core. Inline: study specs check it
/// without LibTorch.
inline int maxComputeThreads()
{
    return 4 * std::max(1, int(std::thread::hardware_concurrency()));
}
/// Threads LibTorch uses for one evaluation (intra-op); 0 keeps LibTorch's default.
void setComputeThreads(int threads);
/// The threads LibTorch uses now.
int computeThreads();

} // namespace quantscope
