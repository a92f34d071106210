// Times single convolution layers: LibTorch's float convolution against the bit-serial kernels
// (core/bitserial) at W1A1 .. W8A8, on ResNet-20's 3x3 layer sizes and the shipped model's widest,
// batch 1 and 64; median of repeats, ratios from the same run. Issue 19's targets: at ResNet-20
// sizes, batch 64, W1A1 at least 8x and W2A2 at least 3x faster than float.
//
// Usage: bitserial_layers [threads] [repeats] [path: portable|avx2|avx512-vpopcntdq]
#include "bitserial/bitserial_conv.h"
#include "bitserial/bitserial_gemm.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace quantscope::bitserial;

namespace {

struct Layer {
    const char* name;
    int channels;
    int size;
};

template <typename Work> double medianSeconds(int repeats, const Work& work)
{
    work(); // warm-up
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        work();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(times.begin(), times.begin() + long(times.size() / 2), times.end());
    return times[times.size() / 2];
}

std::vector<int32_t> randomCodes(size_t count, int bits, Encoding encoding, std::mt19937& rng)
{
    const ValueRange range = valueRange(bits, encoding);
    std::uniform_int_distribution<int32_t> pick(range.lowest, range.highest);
    std::vector<int32_t> out(count);
    for (int32_t& v : out) {
        v = pick(rng);
        if (encoding == Encoding::OffsetBinary && v % 2 == 0)
            v += v < range.highest ? 1 : -1;
    }
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 7;
    KernelPath path = fastestKernelPath();
    if (argc > 3)
        for (KernelPath p : supportedKernelPaths())
            if (std::string(kernelPathName(p)) == argv[3])
                path = p;
    torch::set_num_threads(threads);
    std::printf("threads %d, median of %d, bit-serial path %s; times in ms, ratio = float / bit-serial\n\n", threads,
                repeats, kernelPathName(path));
    std::printf(
        "| layer | batch | float ms | W1A1 | W2A2 | W3A3 | W4A4 | W8A8 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    const std::vector<Layer> layers = {
        {"resnet20 stage 1 (16ch 32x32)", 16, 32},
        {"resnet20 stage 2 (32ch 16x16)", 32, 16},
        {"resnet20 stage 3 (64ch 8x8)", 64, 8},
        {"vgg11s conv7 (128ch 7x7)", 128, 7},
    };
    std::mt19937 rng(0);
    for (const Layer& layer : layers)
        for (int batch : {1, 64}) {
            ConvGeometry g;
            g.batch = batch;
            g.channels = g.outChannels = layer.channels;
            g.height = g.width = layer.size;
            g.kernelHeight = g.kernelWidth = 3;
            g.padY = g.padX = 1;
            const torch::Tensor x = torch::randn({batch, layer.channels, layer.size, layer.size});
            const torch::Tensor w = torch::randn({layer.channels, layer.channels, 3, 3});
            const double floatSeconds = medianSeconds(repeats, [&] {
                torch::NoGradGuard noGrad;
                (void)torch::conv2d(x, w, {}, 1, 1);
            });
            std::printf("| %s | %d | %.3f |", layer.name, batch, 1e3 * floatSeconds);
            for (int bits : {1, 2, 3, 4, 8}) {
                const Encoding weightEncoding = bits == 1 ? Encoding::OffsetBinary : Encoding::TwosComplement;
                const auto weights =
                    randomCodes(size_t(g.outChannels) * size_t(g.groupChannels() * g.kernelHeight * g.kernelWidth),
                                bits, weightEncoding, rng);
                const auto input =
                    randomCodes(size_t(batch) * size_t(g.channels * g.height * g.width), bits, Encoding::Unsigned, rng);
                const PackedConvWeights packed = packConvWeights(weights.data(), g, bits, weightEncoding);
                const double seconds = medianSeconds(repeats, [&] {
                    (void)bitSerialConv2d(input.data(), packed, bits, Encoding::Unsigned, path, threads);
                });
                std::printf(" %.3f (%.2fx) |", 1e3 * seconds, floatSeconds / seconds);
            }
            std::printf("\n");
            std::fflush(stdout);
        }
    return 0;
}
