#include "train/device.h"

#include "common/error.h"

#include <torch/torch.h>

namespace quantscope {

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

std::string resolveDevice(const std::string& requested)
{
    if (requested == "cpu")
        return "cpu";
    if (requested == "auto" || requested.empty())
        return cudaAvailable() ? "cuda" : "cpu";
    if (requested == "cuda") {
        if (!cudaAvailable())
            throw ConfigError("device cuda requested, but this LibTorch build has no CUDA or no GPU is present");
        return "cuda";
    }
    throw ConfigError("unknown device '" + requested + "': expected cpu, cuda or auto");
}

void setComputeThreads(int threads)
{
    if (threads < 0)
        throw ConfigError("thread count must be 0 (default) or positive, got " + std::to_string(threads));
    // LibTorch waits forever for pool threads the system will not create (process limits): more
    // threads than a few per core only ever hurt, so they are refused before any is made.
    const int most = maxComputeThreads();
    if (threads > most)
        throw ConfigError("thread count " + std::to_string(threads) + " is more than " + std::to_string(most)
                          + " (4 per core on this machine)");
    if (threads > 0)
        torch::set_num_threads(threads);
}

int computeThreads()
{
    return at::get_num_threads();
}

} // namespace quantscope
