// Image-folder streaming, measured: images per second through Quantscope's reader (decode,
// convert, Resize and CenterCrop on worker threads, batches of 64 normalised to float tensors as
// evaluation reads them) and the peak resident memory while streaming, for
// tests/benchmarks/image_folder_benchmark.sh (docs/benchmarks.md, "Reading image folders").
// Usage: image_folder_throughput FOLDER RESIZE CROP WORKERS CACHE_MB PASSES
// Prints one JSON line: {"workers", "images", "images_per_second" (the best pass), "cache_mb",
// "rss_before_mb", "peak_rss_mb"}.
#include "data/image_folder.h"
#include "data/image_folder_source.h"
#include "model/model_spec.h"
#include "train/batches.h"

#include <torch/torch.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>

using namespace quantscope;

namespace {

double peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // kilobytes on Linux
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 7) {
        std::fprintf(stderr, "usage: image_folder_throughput FOLDER RESIZE CROP WORKERS CACHE_MB PASSES\n");
        return 2;
    }
    torch::set_num_threads(1);
    const double before = peakRssMb();
    auto index = std::make_shared<const ImageFolderIndex>(indexImageFolder(argv[1]));
    std::vector<uint32_t> members(index->size());
    std::iota(members.begin(), members.end(), 0u);
    ImageFolderReading reading;
    reading.transform = ImagePreprocessing::parse(argv[2], argv[3]);
    reading.threads = std::atoi(argv[4]);
    const size_t cacheMb = size_t(std::atol(argv[5]));
    const ImageFolderSource source(index, members, reading,
                                   cacheMb > 0 ? std::make_shared<DecodedImageCache>(cacheMb << 20) : nullptr);
    ModelSpec spec;
    spec.channels = 3;
    spec.mean = {0.485f, 0.456f, 0.406f};
    spec.stddev = {0.229f, 0.224f, 0.225f};
    double best = 0;
    double checksum = 0;
    for (int pass = 0; pass < std::atoi(argv[6]); ++pass) {
        const auto start = std::chrono::steady_clock::now();
        forEachBatch(source, source.size(), 64, {}, [&](const at::Tensor& pixels, const at::Tensor&) {
            checksum += normalise(pixels, spec).sum().item<double>();
        });
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = std::max(best, double(source.size()) / seconds);
    }
    std::printf("{\"workers\": %d, \"images\": %zu, \"images_per_second\": %.1f, \"cache_mb\": %zu, "
                "\"rss_before_mb\": %.0f, \"peak_rss_mb\": %.0f, \"checksum\": %.6g}\n",
                reading.threads, source.size(), best, cacheMb, before, peakRssMb(), checksum);
}
