#include "cli_context.h"
#include "commands.h"

#include "common/error.h"
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

LayerPolicy parsePolicy(const EvalOptions& options)
{
    LayerPolicy policy;
    policy.quantizeImageInput = options.quantizeImageInput;
    if (!options.lastLayer.empty()) {
        const BitConfig pinned = BitConfig::parse(options.lastLayer, {"last layer"});
        policy.lastLayerBits = pinned[0].weight;
    }
    return policy;
}

void run(const EvalOptions& options)
{
    options.runtime.apply();
    const Network network = options.model.load(options.data, options.runtime);
    EvaluationRequest request;
    request.quant.quantizer = parseQuantizerKind(options.quantizer);
    request.quant.policy = parsePolicy(options);
    request.bits = parseBits(options, network, request.quant.policy);
    request.fineTune = TrainOptions::nuqFineTune(options.fineTuneSteps, options.seed);
    if (options.fineTuneSteps < 0)
        throw ConfigError("--finetune-steps must be 0 or more, got " + std::to_string(options.fineTuneSteps));

    const Dataset data = options.data.loadDataset();
    network.requireInputShape(data.test.channels, data.test.height, data.test.width, options.data.dataset);
    const DataSplits splits = options.data.loadSplits();
    const ImageSet& evalSet = splitByName(splits, options.split);

    ProgressPrinter printer(!options.runtime.json);
    WorkControl control;
    control.progress = [&printer](const Progress& p) { printer(p.phase, p.done, p.total); };
    const EvaluationResult result =
        evaluateConfiguration(network, EvaluationData{splits.train, data.augmentation, evalSet}, request, control);

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
    options->data.addTo(*command);
    options->runtime.addTo(*command);
    command->callback([options] { run(*options); });
}

} // namespace quantscope::cli
