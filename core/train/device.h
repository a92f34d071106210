#pragma once

#include <string>

namespace quantscope {

/// Whether this LibTorch has CUDA and a GPU is present (Debian's LibTorch is CPU-only).
bool cudaAvailable();

/// "cpu" or "cuda" for a requested "cpu", "cuda" or "auto"; ConfigError for anything else or for
/// "cuda" without a GPU.
std::string resolveDevice(const std::string& requested);

/// Threads LibTorch uses for one evaluation (intra-op); 0 keeps LibTorch's default.
/// The most compute threads setComputeThreads accepts: 4 per core.
int maxComputeThreads();
void setComputeThreads(int threads);

} // namespace quantscope
