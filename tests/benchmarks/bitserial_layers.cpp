// Times single convolution layers: LibTorch's float convolution (oneDNN), LibTorch's int8
// quantized convolution (its oneDNN quantized engine, u8 activations x s8 weights, input already
// quantized) and the bit-serial kernels (core/bitserial) at W1A1 .. W8A8 from integer codes
// (packing included, on LibTorch's threads), on ResNet-20's 3x3 layer sizes and the shipped model's widest, batch 1 and
// 64; median of repeats, ratios against float from the same run. Every product allocates its
// output, as LibTorch's do. Issue 19's targets: at ResNet-20 sizes, batch 64, W1A1 at least 8x and
// W2A2 at least 3x faster than float, and W2A2 faster than int8.
//
// Usage: bitserial_layers [threads] [repeats] [path: portable|avx2|avx512-vpopcntdq]
#include "bitserial/bitserial_conv.h"
#include "bitserial/bitserial_gemm.h"
#include "bitserial/bitserial_network.h"
#include "common/wall_time.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace quantscope::bitserial;
using quantscope::medianSeconds;

namespace {

struct Layer {
    const char* name;
    int channels;
    int size;
};

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

/// LibTorch's quantized convolution (quantized::conv2d_prepack, then quantized::conv2d.new,
/// through the dispatcher as TorchScript calls them), timed; a negative time when this build
/// cannot run it.
double int8ConvSeconds(const torch::Tensor& x, const torch::Tensor& w, int repeats)
{
    try {
        at::globalContext().setQEngine(at::QEngine::ONEDNN);
        const torch::Tensor qx = torch::quantize_per_tensor(torch::relu(x), 0.05, 0, torch::kQUInt8);
        const torch::Tensor qw = torch::quantize_per_tensor(w, 0.02, 0, torch::kQInt8);
        const c10::List<int64_t> one({1, 1});
        torch::jit::Stack stack{qw, c10::IValue(), one, one, one, int64_t(1)};
        c10::Dispatcher::singleton().findSchemaOrThrow("quantized::conv2d_prepack", "").callBoxed(&stack);
        const c10::IValue packed = stack.at(0);
        const auto conv = c10::Dispatcher::singleton().findSchemaOrThrow("quantized::conv2d", "new");
        return medianSeconds(repeats, [&] {
            torch::jit::Stack call{qx, packed, 0.1, int64_t(0)};
            conv.callBoxed(&call);
        });
    } catch (const std::exception& e) {
        std::fprintf(stderr, "LibTorch int8 convolution does not run: %s\n", e.what());
        return -1;
    }
}

/// The tile kernel's peak on one core: AND-popcount word products per second (one activation word
/// of one pixel against one output channel's weight word) on an L1-resident tile, where nothing
/// but the kernel's instructions limits it. A layer's bit-serial work divided by it is the
/// roofline its convolution cannot beat.
double peakWordProducts(KernelPath path)
{
    constexpr int words = 32, channels = 64;
    std::vector<uint64_t> activations(size_t(words) * kTilePixels), weights(size_t(words) * channels);
    std::mt19937_64 rng(1);
    for (uint64_t& v : activations)
        v = rng();
    for (uint64_t& v : weights)
        v = rng();
    std::vector<int32_t> out(size_t(channels) * kTilePixels);
    PopcountTile tile;
    tile.activations = activations.data();
    tile.pixelStride = kTilePixels;
    tile.weights = weights.data();
    tile.words = words;
    tile.outChannels = tile.outChannelsPadded = channels;
    tile.activationPlanes = planeWeights(1, Encoding::Unsigned);
    tile.weightPlanes = planeWeights(1, Encoding::Unsigned);
    tile.out = out.data();
    tile.outStride = kTilePixels;
    const PopcountTileKernel kernel = popcountTileKernel(path);
    constexpr int calls = 20000;
    const double seconds = medianSeconds(5, [&] {
        for (int c = 0; c < calls; ++c)
            kernel(tile);
    });
    return double(calls) * words * channels * kTilePixels / seconds;
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
    const double peak = peakWordProducts(path);
    std::printf("threads %d, median of %d, bit-serial path %s; times in ms, (ratio = float / that)\n", threads, repeats,
                kernelPathName(path));
    std::printf("kernel peak on one core: %.3g AND-popcount word products per second (%.3g binary MACs)\n\n", peak,
                64 * peak);
    std::printf("| layer | batch | float ms | int8 (oneDNN) | W1A1 | W2A2 | W3A3 | W4A4 | W8A8 | kernel roofline | "
                "int32 in/out copy |\n"
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
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
            const double int8Seconds = int8ConvSeconds(x, w, repeats);
            if (int8Seconds > 0)
                std::printf(" %.3f (%.2fx) |", 1e3 * int8Seconds, floatSeconds / int8Seconds);
            else
                std::printf(" does not run |");
            for (int bits : {1, 2, 3, 4, 8}) {
                const Encoding weightEncoding = bits == 1 ? Encoding::OffsetBinary : Encoding::TwosComplement;
                const auto weights =
                    randomCodes(size_t(g.outChannels) * size_t(g.groupChannels() * g.kernelHeight * g.kernelWidth),
                                bits, weightEncoding, rng);
                const auto input =
                    randomCodes(size_t(batch) * size_t(g.channels * g.height * g.width), bits, Encoding::Unsigned, rng);
                const PackedConvWeights packed = packConvWeights(weights.data(), g, bits, weightEncoding);
                const double seconds = medianSeconds(repeats, [&] {
                    torch::Tensor out =
                        torch::empty({batch, g.outChannels, g.outHeight(), g.outWidth()}, torch::kInt32);
                    ConvInput in;
                    in.codes = input.data();
                    ConvOutput sums;
                    sums.sums = out.data_ptr<int32_t>();
                    bitSerialConv2d(in, packed, bits, Encoding::Unsigned, path, sums, threads, onLibTorchThreads);
                });
                std::printf(" %.3f (%.2fx) |", 1e3 * seconds, floatSeconds / seconds);
            }
            // The roofline: output pixels x channels x window words x plane pairs at the peak, on every thread.
            const double words = double(g.kernelHeight) * ((g.kernelWidth * g.groupChannels() + 63) / 64);
            const double products = double(batch) * g.outHeight() * g.outWidth() * g.outChannels * words;
            // The memory floor: reading the int32 input and writing a fresh int32 output once, which
            // every bit-serial time above includes around its arithmetic (these layers keep their size).
            const std::vector<int32_t> codes(size_t(batch) * size_t(g.channels * g.height * g.width), 1);
            const double copySeconds = medianSeconds(repeats, [&] {
                torch::Tensor out = torch::empty({batch, g.outChannels, g.outHeight(), g.outWidth()}, torch::kInt32);
                std::copy(codes.begin(), codes.begin() + out.numel(), out.data_ptr<int32_t>());
            });
            std::printf(" W1A1 %.3f, W2A2 %.3f | %.3f |\n", 1e3 * products / (peak * threads),
                        1e3 * 4 * products / (peak * threads), 1e3 * copySeconds);
            std::fflush(stdout);
        }
    return 0;
}
