#include "cli_context.h"
#include "commands.h"

#include "bitserial/engine_evaluation.h"
#include "common/error.h"
#include "train/device.h"
#include "train/quantized_evaluation.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace quantscope::cli {
namespace {

struct EvalOptions {
    ModelOptions model;
    std::string bits;
    std::string bitsFile;
    std::string quantizer = "dsconv";
    std::string split = "search";
    std::string lastLayer;
    bool quantizeImageInput = false;
    int64_t fineTuneSteps = 0;
    uint64_t seed = 0;
    std::string engine = "simulation";
    std::string kernels; ///< empty: the fastest this CPU runs
    int engineBatch = 64;
    DataOptions data;
    RuntimeOptions runtime;
};

BitConfig parseBits(const EvalOptions& options, const Network& network, const LayerPolicy& policy)
{
    const std::vector<std::string> names = network.layerNames();
    if (!options.bitsFile.empty()) {
        try {
            return BitConfig::fromJson(readTextFile(options.bitsFile, "bit configuration file"), names, policy);
        } catch (const ConfigError& e) {
            throw ConfigError(options.bitsFile + ": " + e.what());
        }
    }
    if (options.bits.empty())
        return BitConfig::uniform(0, names.size());
    return BitConfig::parse(options.bits, names, policy);
}

/// `eval --engine bitserial`: the configuration executed on the bit-serial kernels.
void runOnEngine(const EvalOptions& options, const Network& network, const EvaluationRequest& request,
                 const EvaluationData& data, const WorkControl& control)
{
    bitserial::EngineOptions engine;
    engine.path = parseKernelPath(options.kernels);
    engine.batchSize = options.engineBatch;
    const bitserial::EngineEvaluation result =
        bitserial::evaluateOnBitSerialEngine(network, data, request, engine, control);
    const int threads = computeThreads(); // the kernels' too: they run on LibTorch's pool
    if (options.runtime.json) {
        nlohmann::ordered_json layers = nlohmann::ordered_json::array();
        for (const bitserial::ExecutedLayer& layer : result.layers)
            layers.push_back({{"name", layer.name},
                              {"weight_bits", layer.weightBits},
                              {"activation_bits", layer.activationBits},
                              {"bit_serial", layer.bitSerial},
                              {"fallback", layer.fallback},
                              {"ms_per_image", 1e3 * layer.seconds}});
        const nlohmann::ordered_json out = {{"bits", request.bits.toString()},
                                            {"engine", "bitserial"},
                                            {"kernels", bitserial::kernelPathName(engine.path)},
                                            {"threads", threads},
                                            {"batch", engine.batchSize},
                                            {"split", options.split},
                                            {"images", result.images},
                                            {"accuracy", result.accuracy},
                                            {"simulated_accuracy", result.simulatedAccuracy},
                                            {"agreeing_predictions", result.agreeing},
                                            {"largest_logit_gap", result.largestLogitGap},
                                            {"ms_per_image", 1e3 * result.secondsPerImage},
                                            {"float_ms_per_image", 1e3 * result.floatSecondsPerImage},
                                            {"other_ms_per_image", 1e3 * result.otherSecondsPerImage},
                                            {"layers", layers}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << std::fixed << std::setprecision(2) << "bits        " << request.bits.toString()
              << " (uniform, bit-serial engine: " << bitserial::kernelPathName(engine.path) << " kernels, " << threads
              << " thread" << (threads == 1 ? "" : "s") << ", batch " << engine.batchSize << ")\n"
              << "accuracy    " << result.accuracy << " % top-1 on " << options.split << " (" << result.images
              << " images)\n"
              << "simulation  " << result.simulatedAccuracy << " % top-1; predictions agree on " << result.agreeing
              << " of " << result.images << ", largest logit gap " << std::scientific << std::setprecision(2)
              << result.largestLogitGap << std::fixed << "\n"
              << "latency     " << std::setprecision(3) << 1e3 * result.secondsPerImage
              << " ms per image (float network " << 1e3 * result.floatSecondsPerImage << " ms)\n";
    for (const bitserial::ExecutedLayer& layer : result.layers)
        std::cout << "  " << std::left << std::setw(22) << layer.name << std::right << " W" << layer.weightBits << "A"
                  << layer.activationBits << "  " << std::setw(8) << 1e3 * layer.seconds << " ms  "
                  << (layer.bitSerial ? "bit-serial" : "LibTorch (" + layer.fallback + ")") << "\n";
    std::cout << "  " << std::left << std::setw(22) << "other operators" << std::right << "       " << std::setw(8)
              << 1e3 * result.otherSecondsPerImage << " ms\n";
}

void run(const EvalOptions& options)
{
    options.runtime.apply();
    // What can be checked without the network or the data first: an image folder takes a while to read.
    EvaluationRequest request;
    request.quant.quantizer = parseQuantizerKind(options.quantizer);
    request.quant.policy = parseLayerPolicy(options.quantizeImageInput, options.lastLayer);
    request.fineTune = TrainOptions::nuqFineTune(options.fineTuneSteps, options.seed);
    if (options.fineTuneSteps < 0)
        throw ConfigError("--finetune-steps must be 0 or more, got " + std::to_string(options.fineTuneSteps));
    if (options.engine == "bitserial") {
        if (request.quant.quantizer != QuantizerKind::Uniform)
            throw ConfigError("--engine bitserial executes the uniform quantizer's integers; use --quantizer uniform");
        parseKernelPath(options.kernels);
    } else if (!options.kernels.empty()) {
        throw ConfigError("--kernels applies to --engine bitserial");
    }
    if (options.split != "search" && options.split != "holdout" && options.split != "test" && options.split != "train")
        throw ConfigError("unknown split '" + options.split + "': expected train, search or holdout");

    ProgressPrinter printer(!options.runtime.json);
    WorkControl control = printer.control();
    const NetworkWithData opened = options.model.loadWithData(options.data, options.runtime, control);
    const Network& network = opened.network;
    const DataSplits& splits = opened.splits;
    request.bits = parseBits(options, network, request.quant.policy);
    const ImageSource& evalSet = splitByName(splits, options.split);
    const EvaluationData evaluationData = EvaluationData::of(splits, evalSet);
    if (options.engine == "bitserial")
        return runOnEngine(options, network, request, evaluationData, control);
    const EvaluationResult result = evaluateConfiguration(network, evaluationData, request, control);

    if (options.runtime.json) {
        const nlohmann::ordered_json out = {{"bits", request.bits.toString()},
                                            {"quantizer", quantizerName(request.quant.quantizer)},
                                            {"split", options.split},
                                            {"images", evalSet.size()},
                                            {"accuracy", result.accuracy},
                                            {"memory_mb", result.cost.memoryMB},
                                            {"bops", result.cost.bops},
                                            {"mean_weight_bits", result.cost.weightBitsMean},
                                            {"finetune_steps", result.fineTuneSteps},
                                            {"finetune_seconds", result.fineTuneSeconds},
                                            {"seconds", result.seconds}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << std::fixed << std::setprecision(2) << "bits        " << request.bits.toString() << " ("
              << quantizerName(request.quant.quantizer) << ")\n"
              << "accuracy    " << result.accuracy << " % top-1 on " << options.split << " (" << evalSet.size()
              << " images)\n"
              << "memory      " << std::setprecision(4) << result.cost.memoryMB << " MB (mean weight bits "
              << std::setprecision(2) << result.cost.weightBitsMean << ")\n"
              << "BOPs        " << std::scientific << std::setprecision(3) << result.cost.bops << std::fixed << "\n"
              << "fine-tune   " << result.fineTuneSteps << " steps, " << std::setprecision(2) << result.fineTuneSeconds
              << " s\n"
              << "wall time   " << result.seconds << " s\n";
}

} // namespace

void addEvalCommand(CLI::App& app)
{
    auto options = std::make_shared<EvalOptions>();
    CLI::App* command = app.add_subcommand(
        "eval",
        "Quantize a model to a bit configuration, optionally fine-tune it, and measure accuracy, memory and BOPs");
    options->model.addTo(*command);
    command->add_option(
        "--bits", options->bits,
        "per-layer bits, e.g. 8,6,6,4,4,3,2,2,8: B (weights and input activation), W/A, or f for float; "
        "one value applies to all layers; none: float");
    command->add_option("--bits-file", options->bitsFile, "bit configuration as JSON keyed by layer name")
        ->excludes(command->get_option("--bits"));
    command
        ->add_option("--quantizer", options->quantizer,
                     "dsconv (NUQ), uniform (integer runtimes), hwgq (half-wave Gaussian activations, binary weights "
                     "at 1 bit), qn or qn-pow2 (Quantization Networks' learned staircases; docs/quantizers.md)")
        ->capture_default_str();
    command->add_option("--finetune-steps", options->fineTuneSteps, "fine-tuning budget in SGD steps (NUQ settings)")
        ->capture_default_str();
    command->add_option("--split", options->split, "search, holdout or train")->capture_default_str();
    command->add_flag("--quantize-image-input", options->quantizeImageInput,
                      "also quantize the input image entering the first layer (NUQ leaves it)");
    command->add_option("--last-layer", options->lastLayer,
                        "pin the last layer to these bits (1..8 or f); --bits may omit it");
    command->add_option("--seed", options->seed, "fine-tuning seed")->capture_default_str();
    command
        ->add_option("--engine", options->engine,
                     "simulation (quantized values in float, any quantizer) or bitserial (uniform quantizer's integers "
                     "executed on the bit-serial CPU kernels: accuracy beside the simulation's, and latency)")
        ->check(CLI::IsMember({"simulation", "bitserial"}))
        ->capture_default_str();
    command->add_option("--kernels", options->kernels,
                        "bit-serial kernels: portable, avx2 or avx512-vpopcntdq (default: the fastest this CPU runs)");
    command->add_option("--engine-batch", options->engineBatch, "images per bit-serial forward pass")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    options->data.addTo(*command);
    options->runtime.addTo(*command);
    command->callback([options] { run(*options); });
}

} // namespace quantscope::cli
