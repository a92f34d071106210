// quantscope-cli latency: the bit-serial engine's measured latency per layer and bit pair on this
// machine (cached), and what configurations cost to run.
#include "cli_context.h"
#include "commands.h"

#include "bitserial/latency_table.h"
#include "common/error.h"

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <memory>

namespace quantscope::cli {
namespace {

struct LatencyCommandOptions {
    ModelOptions model;
    std::vector<std::string> bits;
    std::string kernels;
    int batch = 64;
    bool refresh = false;
    bool quantizeImageInput = false;
    DataOptions data;
    RuntimeOptions runtime;
};

void run(const LatencyCommandOptions& options)
{
    options.runtime.apply();
    ProgressPrinter printer(!options.runtime.json);
    WorkControl control = printer.control();
    const NetworkWithData opened = options.model.loadWithData(options.data, options.runtime, control);
    const Network& network = opened.network;
    LayerPolicy policy;
    policy.quantizeImageInput = options.quantizeImageInput;
    std::vector<BitConfig> configs;
    for (const std::string& text : options.bits) // checked before the measurement
        configs.push_back(BitConfig::parse(text, network.layerNames(), policy));
    bitserial::LatencyOptions latency;
    latency.path = parseKernelPath(options.kernels);
    latency.batch = options.batch;
    const bitserial::LatencyTable table =
        bitserial::cachedLatencyTable(network, opened.splits.calibration, latency, options.refresh, control);

    if (options.runtime.json) {
        nlohmann::ordered_json out = nlohmann::ordered_json::parse(table.toJson());
        nlohmann::ordered_json predictions = nlohmann::ordered_json::array();
        for (const BitConfig& bits : configs)
            predictions.push_back(
                {{"bits", bits.toString()}, {"ms_per_image", table.perImageMs(bits, options.quantizeImageInput)}});
        out["configurations"] = predictions;
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << "bit-serial latency on " << table.machine << ", batch " << table.batch
              << "; ms per batch (W = A bits; every pair is in --json)\n";
    std::cout << std::left << std::setw(22) << "layer" << std::right << std::setw(9) << "float";
    for (int b = 1; b <= 8; ++b)
        std::cout << std::setw(8) << ("W" + std::to_string(b) + "A" + std::to_string(b));
    std::cout << "\n" << std::fixed << std::setprecision(3);
    for (const bitserial::LayerLatency& layer : table.layers) {
        std::cout << std::left << std::setw(22) << layer.name << std::right << std::setw(9) << layer.floatMs;
        for (int b = 1; b <= 8; ++b)
            std::cout << std::setw(8) << layer.ms(b, b);
        std::cout << "\n";
    }
    std::cout << std::left << std::setw(22) << "other operators" << std::right << std::setw(9) << table.otherMs << "\n";
    for (const BitConfig& bits : configs)
        std::cout << "\n"
                  << bits.toString() << ": " << table.perImageMs(bits, options.quantizeImageInput)
                  << " ms per image (batch " << table.batch << ")";
    if (!configs.empty())
        std::cout << "\n";
}

} // namespace

void addLatencyCommand(CLI::App& app)
{
    auto options = std::make_shared<LatencyCommandOptions>();
    CLI::App* command = app.add_subcommand(
        "latency",
        "Measure the bit-serial engine's latency per layer and bit pair on this machine (cached), and "
        "predict configurations' latency from it");
    options->model.addTo(*command);
    command->add_option("--bits", options->bits, "configurations to predict (as eval --bits); repeatable");
    command->add_option("--kernels", options->kernels,
                        "bit-serial kernels: portable, avx2 or avx512-vpopcntdq (default: the fastest this CPU runs)");
    command->add_option("--batch", options->batch, "images per forward pass")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    command->add_flag("--quantize-image-input", options->quantizeImageInput,
                      "the first layer's input image is quantized too (as eval's flag)");
    command->add_flag("--refresh", options->refresh, "measure again even when the cache has this table");
    options->data.addTo(*command);
    options->runtime.addTo(*command);
    command->callback([options] { run(*options); });
}

} // namespace quantscope::cli
