// Times a whole network quantized with the uniform quantizer, batch 1 and 64, median of repeats:
// LibTorch's float network, ONNX Runtime's int8 run of the configuration's QDQ export (what a
// deployment runs today; tests/benchmarks/onnx_latency.js) and the bit-serial engine
// (core/bitserial/bitserial_network.h), with the engine's time per layer and the latency table's
// prediction for the configuration (core/bitserial/latency_table.h). Issue 19's target: the
// shipped model at a mixed configuration of at most 4 bits faster than ONNX Runtime, both batches.
//
// Usage: bitserial_network [BITS] [threads] [repeats] [model file]
//   BITS as `eval --bits` (default 8,4,4,3,2,2,3,4,8: at most 4 bits inside, 8 at the ends).
#include "bitserial/bitserial_network.h"
#include "bitserial/latency_table.h"
#include "common/wall_time.h"
#include "data/dataset.h"
#include "export/onnx_export.h"
#include "export/quantized_snapshot.h"
#include "model/default_model.h"
#include "model/network_backend.h"
#include "train/batches.h"
#include "train/device.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using namespace quantscope;

namespace {

/// ONNX Runtime's median milliseconds, or a negative number when it does not run (said on stderr).
double onnxRuntimeMs(const std::string& model, int batch, int repeats, int threads, const ModelSpec& spec)
{
    const char* home = std::getenv("HOME");
    const std::string ortDir = std::getenv("QUANTSCOPE_ORT_DIR")
        ? std::getenv("QUANTSCOPE_ORT_DIR")
        : std::string(home ? home : "") + "/.cache/quantscope/onnxruntime-node";
    const std::string command = "node " QUANTSCOPE_SOURCE_DIR "/tests/benchmarks/onnx_latency.js '" + ortDir + "' '"
        + model + "' " + std::to_string(batch) + " " + std::to_string(repeats) + " " + std::to_string(threads) + " "
        + std::to_string(spec.channels) + " " + std::to_string(spec.height) + " " + std::to_string(spec.width);
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    std::string output;
    std::array<char, 4096> buffer{};
    while (pipe && fgets(buffer.data(), int(buffer.size()), pipe.get()))
        output += buffer.data();
    const auto parsed = nlohmann::json::parse(output, nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("median_ms")) {
        std::fprintf(stderr, "ONNX Runtime did not run: %s\n", output.c_str());
        return -1;
    }
    return parsed["median_ms"].get<double>();
}

} // namespace

int main(int argc, char** argv)
{
    const std::string bitsText = argc > 1 ? argv[1] : "8,4,4,3,2,2,3,4,8";
    const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
    const int repeats = argc > 3 ? std::atoi(argv[3]) : 15;
    const Network network = Network::load(argc > 4 ? std::string(argv[4]) : defaultModelPath());
    setComputeThreads(threads);
    const Dataset dataset = loadDataset(DatasetKind::FashionMnist);
    const DataSplits splits = splitDataset(dataset);
    QuantSettings settings;
    settings.quantizer = QuantizerKind::Uniform;
    const BitConfig bits = BitConfig::parse(bitsText, network.layerNames(), settings.policy);
    const QuantizedSnapshot snapshot(network, bits, settings, splits.calibration);
    const bitserial::KernelPath path = bitserial::fastestKernelPath();
    bitserial::BitSerialNetwork engine(snapshot, path);
    Network floatNetwork = network.clone();
    floatNetwork.backend().setTraining(false);
    const std::string onnxPath = "/tmp/quantscope_bitserial_network.onnx";
    exportOnnx(network, bits, settings, splits.calibration, onnxPath);

    std::printf("%s at %s (uniform), %d threads, median of %d, bit-serial kernels %s; ms per batch\n\n",
                network.spec().architecture.c_str(), bits.toString().c_str(), threads, repeats,
                bitserial::kernelPathName(path));
    std::printf("| batch | LibTorch float | ONNX Runtime int8 (QDQ) | bit-serial | vs float | vs ONNX Runtime |\n"
                "|---:|---:|---:|---:|---:|---:|\n");
    for (int batch : {1, 64}) {
        torch::NoGradGuard noGrad;
        const torch::Tensor images = normalise(imageRange(dataset.test, 0, size_t(batch)), network.spec());
        const double floatMs = 1e3 * medianSeconds(repeats, [&] { (void)floatNetwork.backend().forward(images); });
        engine.resetTimes();
        const double engineMs = 1e3 * medianSeconds(repeats, [&] { (void)engine.forward(images); });
        const double ortMs = onnxRuntimeMs(onnxPath, batch, repeats, threads, network.spec());
        std::printf("| %d | %.3f | %s | %.3f | %.2fx | %s |\n", batch, floatMs,
                    ortMs > 0 ? std::to_string(ortMs).substr(0, 6).c_str() : "does not run", engineMs,
                    floatMs / engineMs,
                    ortMs > 0 ? (std::to_string(ortMs / engineMs).substr(0, 4) + "x").c_str() : "-");
        if (batch == 64) {
            bitserial::LatencyOptions latency;
            latency.path = path;
            const bitserial::LatencyTable table = bitserial::cachedLatencyTable(network, splits.calibration, latency);
            std::printf("\nlatency table (quantscope-cli latency) predicts %.3f ms per batch of 64 for %s; measured "
                        "%.3f\n",
                        64 * table.perImageMs(bits), bits.toString().c_str(), engineMs);
            std::printf("\nbit-serial engine per layer at batch 64 (ms per batch, mean over %d passes):\n\n",
                        repeats + 1);
            std::printf("| layer | bits | ms | runs on |\n|---|---|---:|---|\n");
            for (const bitserial::ExecutedLayer& layer : engine.layers())
                std::printf("| %s | W%dA%d | %.3f | %s |\n", layer.name.c_str(), layer.weightBits, layer.activationBits,
                            1e3 * layer.seconds / (repeats + 1),
                            layer.bitSerial ? "bit-serial" : ("LibTorch: " + layer.fallback).c_str());
            std::printf("| other operators | | %.3f | LibTorch |\n", 1e3 * engine.otherSeconds() / (repeats + 1));
        }
        std::fflush(stdout);
    }
    return 0;
}
