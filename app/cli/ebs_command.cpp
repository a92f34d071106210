#include "cli_context.h"
#include "commands.h"

#include "common/error.h"
#include "bitserial/latency_table.h"
#include "ebs/bitwidth_search.h"
#include "quant/cost_model.h"
#include "train/quantized_evaluation.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace quantscope::cli {
namespace {

struct EbsCommandOptions {
    ModelOptions model;
    std::string quantizer = "dsconv";
    std::string candidates = "1,2,3,4,8";
    std::string weightCandidates;
    std::string activationCandidates;
    std::string cost = "memory";
    std::optional<double> budget;
    std::string lastLayer;
    bool quantizeImageInput = false;
    EbsOptions search;
    int64_t fineTuneSteps = 0;
    std::string split = "search";
    std::string history;
    DataOptions data;
    RuntimeOptions runtime;
};

std::vector<int> parseWidths(const std::string& text, const std::string& option)
{
    std::vector<int> widths;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            size_t used = 0;
            widths.push_back(std::stoi(item, &used));
            if (used != item.size())
                throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw ConfigError(option + ": \"" + item + "\" is not a bit width (1..8)");
        }
    }
    return widths;
}

BitCandidates parseCandidates(const EbsCommandOptions& options)
{
    BitCandidates candidates;
    if (options.weightCandidates.empty() != options.activationCandidates.empty())
        throw ConfigError("--weight-candidates and --activation-candidates go together");
    if (!options.weightCandidates.empty()) {
        candidates.coupled = false;
        candidates.weight = parseWidths(options.weightCandidates, "--weight-candidates");
        candidates.activation = parseWidths(options.activationCandidates, "--activation-candidates");
    } else {
        candidates.weight = parseWidths(options.candidates, "--candidates");
    }
    candidates.validate();
    return candidates;
}

void writeHistory(const std::string& path, const EbsResult& result, const std::vector<std::string>& names,
                  const BitCandidates& candidates)
{
    std::ofstream out(path);
    if (!out)
        throw ConfigError("cannot write --history " + path);
    out << "step,layer,of,bits,probability,expected_cost,lambda,loss\n";
    for (const EbsSnapshot& s : result.history)
        for (size_t layer = 0; layer < names.size(); ++layer) {
            const auto write = [&](const std::vector<double>& p, const std::vector<int>& bits, const char* of) {
                for (size_t k = 0; k < p.size(); ++k)
                    out << s.step << "," << names[layer] << "," << of << "," << bits[k] << "," << p[k] << ","
                        << s.expectedCost << "," << s.lambda << "," << s.loss << "\n";
            };
            write(s.weight[layer], candidates.weight, candidates.coupled ? "layer" : "weight");
            if (!candidates.coupled)
                write(s.activation[layer], candidates.activation, "activation");
        }
}

void run(EbsCommandOptions& options)
{
    options.runtime.apply();
    ProgressPrinter printer(!options.runtime.json);
    WorkControl control = printer.control();
    const NetworkWithData opened = options.model.loadWithData(options.data, options.runtime, control);
    const Network& network = opened.network;
    const DataSplits& splits = opened.splits;
    EvaluationRequest request;
    request.quant.quantizer = parseQuantizerKind(options.quantizer);
    request.quant.policy = parseLayerPolicy(options.quantizeImageInput, options.lastLayer);
    if (options.fineTuneSteps < 0)
        throw ConfigError("--finetune-steps must be 0 or more, got " + std::to_string(options.fineTuneSteps));
    request.fineTune = TrainOptions::nuqFineTune(options.fineTuneSteps, options.search.seed);
    EbsOptions search = options.search;
    search.candidates = parseCandidates(options);
    search.cost = options.cost == "bops" ? EbsCost::Bops
        : options.cost == "latency"      ? EbsCost::Latency
                                         : EbsCost::Memory;
    if (search.cost == EbsCost::Latency && request.quant.quantizer != QuantizerKind::Uniform)
        throw ConfigError("--cost latency is the bit-serial engine's, which executes the uniform quantizer's "
                          "integers; use --quantizer uniform");
    search.budget = options.budget;
    search.policy = request.quant.policy;

    const ImageSource& evalSet = splitByName(splits, options.split);

    if (search.cost == EbsCost::Latency) {
        bitserial::LatencyOptions latency;
        latency.path = parseKernelPath(""); // the fastest this CPU runs, as the latency command's default
        search.latency = bitserial::cachedLatencyTable(network, splits.calibration, latency, false, control);
    }
    Network searched = network.clone(); // the search fine-tunes its copy; the evaluation starts afresh
    const std::shared_ptr<const Quantizer> base = makeQuantizer(request.quant.quantizer);
    const EbsResult result =
        searchBitWidths(searched, *splits.train, splits.calibration, splits.augmentation, base, search, control);
    if (!options.history.empty())
        writeHistory(options.history, result, network.layerNames(), search.candidates);
    request.bits = result.bits;
    const EvaluationResult evaluation =
        evaluateConfiguration(network, EvaluationData::of(splits, evalSet), request, control);

    const char* unit = search.cost == EbsCost::Memory ? "MB" : search.cost == EbsCost::Bops ? "BOPs" : "ms per image";
    if (options.runtime.json) {
        nlohmann::ordered_json out = {{"bits", result.bits.toString()},
                                      {"quantizer", quantizerName(request.quant.quantizer)},
                                      {"cost", options.cost},
                                      {"cost_value", result.cost},
                                      {"expected_cost", result.expectedCost},
                                      {"budget", options.budget ? nlohmann::ordered_json(*options.budget) : nullptr},
                                      {"lambda", result.lambda},
                                      {"search_steps", search.steps},
                                      {"search_seconds", result.seconds},
                                      {"split", options.split},
                                      {"images", evalSet.size()},
                                      {"accuracy", evaluation.accuracy},
                                      {"memory_mb", evaluation.cost.memoryMB},
                                      {"bops", evaluation.cost.bops},
                                      {"finetune_steps", evaluation.fineTuneSteps},
                                      {"seconds", result.seconds + evaluation.seconds}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << std::fixed << std::setprecision(2) << "searched    " << search.steps << " steps in " << result.seconds
              << " s (EBS on " << quantizerName(request.quant.quantizer) << ", " << options.cost << " penalty, lambda "
              << std::setprecision(3) << result.lambda << (options.budget ? " adapted to the budget" : "") << ")\n"
              << "bits        " << result.bits.toString() << "\n"
              << std::setprecision(4) << std::left << std::setw(12) << options.cost << std::right << result.cost << " "
              << unit << " (expected under the final strengths " << result.expectedCost << ")";
    if (options.budget)
        std::cout << ", budget " << *options.budget << " " << unit;
    std::cout << "\n"
              << std::setprecision(2) << "accuracy    " << evaluation.accuracy << " % top-1 on " << options.split
              << " (" << evalSet.size() << " images) after " << evaluation.fineTuneSteps << " fine-tuning steps\n"
              << "memory      " << std::setprecision(4) << evaluation.cost.memoryMB << " MB, BOPs " << std::scientific
              << std::setprecision(3) << evaluation.cost.bops << std::fixed << "\n";
}

} // namespace

void addEbsCommand(CLI::App& app)
{
    auto options = std::make_shared<EbsCommandOptions>();
    CLI::App* command = app.add_subcommand(
        "ebs", "Search per-layer bit widths by gradient in one training job (EBS/EdMIPS), then evaluate the result");
    options->model.addTo(*command);
    command->add_option("--quantizer", options->quantizer, "every candidate's quantizer (as eval's)")
        ->capture_default_str();
    command->add_option("--candidates", options->candidates, "candidate widths of each layer's weights and input")
        ->capture_default_str();
    command->add_option("--weight-candidates", options->weightCandidates,
                        "search weights and inputs apart: the weights' candidate widths");
    command->add_option("--activation-candidates", options->activationCandidates, "... and the inputs'");
    command
        ->add_option("--cost", options->cost,
                     "what the penalty counts: memory (MB), bops, or latency (the bit-serial engine's measured ms per "
                     "image; --quantizer uniform)")
        ->check(CLI::IsMember({"memory", "bops", "latency"}))
        ->capture_default_str();
    command->add_option("--lambda", options->search.lambda, "penalty weight (unitless: cost over the highest widths')")
        ->capture_default_str();
    command->add_option(
        "--budget", options->budget,
        "hard budget in the cost's unit (MB, BOPs or ms per image): lambda adapts and the result fits it");
    command->add_option("--steps", options->search.steps, "search steps")->capture_default_str();
    command->add_option("--batch", options->search.batchSize, "batch size")->capture_default_str();
    command->add_option("--lr", options->search.weightLearningRate, "the weights' SGD learning rate")
        ->capture_default_str();
    command->add_option("--strength-lr", options->search.strengthLearningRate, "the strengths' SGD learning rate")
        ->capture_default_str();
    command->add_option("--seed", options->search.seed, "seed of the search and the fine-tuning")
        ->capture_default_str();
    command->add_option("--history", options->history, "write the strengths' softmax over the search as CSV");
    command->add_option("--finetune-steps", options->fineTuneSteps, "fine-tuning of the result before scoring it")
        ->capture_default_str();
    command->add_option("--split", options->split, "search, holdout or train")->capture_default_str();
    command->add_flag("--quantize-image-input", options->quantizeImageInput,
                      "also quantize the input image entering the first layer (NUQ leaves it)");
    command->add_option("--last-layer", options->lastLayer, "pin the last layer to these bits (1..8 or f)");
    options->data.addTo(*command);
    options->runtime.addTo(*command);
    command->callback([options] { run(*options); });
}

} // namespace quantscope::cli
