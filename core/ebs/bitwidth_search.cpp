#include "ebs/bitwidth_search.h"

#include "common/error.h"
#include "model/network_backend.h"
#include "quant/cost_model.h"
#include "train/batches.h"
#include "train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <limits>

namespace quantscope {

namespace {

/// Layer `index`'s cost at widths (w, a) in `options.cost`'s units.
double pairCost(const std::vector<LayerInfo>& layers, size_t index, int w, int a, const Quantizer& quantizer,
                const EbsOptions& options)
{
    if (options.cost == EbsCost::Latency) {
        const bitserial::LatencyTable& table = *options.latency;
        const bitserial::LayerLatency& layer = table.layers.at(index);
        const bool floatInput = layer.takesImage && !options.policy.quantizeImageInput;
        return layer.ms(w, floatInput ? 0 : a) / std::max(1, table.batch);
    }
    LayerPolicy alone = options.policy;
    alone.lastLayerBits.reset(); // one layer on its own is never "the last one pinned"
    const CostReport cost = computeCost({layers[index]}, BitConfig({LayerBits{w, a}}), quantizer, alone);
    return options.cost == EbsCost::Memory ? cost.memoryMB : cost.bops;
}

} // namespace

std::vector<std::vector<double>> layerCostTable(const std::vector<LayerInfo>& layers, size_t index,
                                                const Quantizer& quantizer, const EbsOptions& options)
{
    std::vector<std::vector<double>> table;
    for (int w : options.candidates.weight) {
        table.emplace_back();
        for (int a : options.candidates.activations())
            table.back().push_back(pairCost(layers, index, w, a, quantizer, options));
    }
    return table;
}

namespace {

void validate(const EbsOptions& options)
{
    options.candidates.validate();
    if (options.steps < 1)
        throw ConfigError("EBS: steps must be at least 1, got " + std::to_string(options.steps));
    if (options.batchSize < 1)
        throw ConfigError("EBS: batch size must be positive, got " + std::to_string(options.batchSize));
    if (!(options.lambda >= 0) || !std::isfinite(options.lambda))
        throw ConfigError("EBS: lambda must be a finite number >= 0");
    if (options.budget && !(*options.budget > 0 && std::isfinite(*options.budget)))
        throw ConfigError("EBS: the budget must be a positive number");
    if (options.recordEvery < 1)
        throw ConfigError("EBS: recordEvery must be at least 1");
    if (!(options.weightLearningRate > 0) || !(options.strengthLearningRate > 0))
        throw ConfigError("EBS: learning rates must be positive");
    if (options.cost == EbsCost::Latency && !options.latency)
        throw ConfigError("EBS: a latency penalty needs the network's latency table");
}

/// A searched layer: its strengths and cost table.
struct SearchedLayer {
    size_t index = 0;
    torch::Tensor weightStrengths;
    torch::Tensor activationStrengths; ///< the same tensor when coupled
    std::vector<std::vector<double>> table;
    torch::Tensor tableTensor; ///< [weight candidates x activation candidates], float64
};

/// Candidate indices per searched layer: (weight, activation).
using Choice = std::vector<std::pair<size_t, size_t>>;

double costOf(const std::vector<SearchedLayer>& searched, const Choice& choice, double fixed)
{
    double total = fixed;
    for (size_t s = 0; s < searched.size(); ++s)
        total += searched[s].table[choice[s].first][choice[s].second];
    return total;
}

std::vector<double> probabilities(const torch::Tensor& strengths)
{
    const torch::Tensor p = torch::softmax(strengths.detach().to(torch::kFloat64).cpu(), 0).contiguous();
    return std::vector<double>(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
}

size_t argmax(const std::vector<double>& p)
{
    return size_t(std::max_element(p.begin(), p.end()) - p.begin());
}

/// A searched layer's final strengths, as probabilities over its weight and activation candidates.
struct FinalStrengths {
    std::vector<double> weight;
    std::vector<double> activation;
};

/// `choice` with one width of one layer moved a candidate up or down (both widths when coupled),
/// and the moved width's probability before and after.
struct Move {
    Choice choice;
    double from = 0;
    double to = 0;
};

/// Every move of one width by one candidate in `direction` (+1 or -1) that stays within the
/// candidates.
std::vector<Move> oneStepMoves(const std::vector<FinalStrengths>& strengths, const Choice& choice, int direction,
                               bool coupled)
{
    std::vector<Move> moves;
    for (size_t s = 0; s < choice.size(); ++s)
        for (bool weight : {true, false}) {
            if (!weight && coupled)
                continue;
            const std::vector<double>& p = weight ? strengths[s].weight : strengths[s].activation;
            const size_t from = weight ? choice[s].first : choice[s].second;
            if (direction < 0 ? from == 0 : from + 1 >= p.size())
                continue;
            const size_t to = direction < 0 ? from - 1 : from + 1;
            Move move{choice, p[from], p[to]};
            (weight ? move.choice[s].first : move.choice[s].second) = to;
            if (coupled)
                move.choice[s].second = move.choice[s].first;
            moves.push_back(std::move(move));
        }
    return moves;
}

/// Lowers single widths, the cheapest in lost log-probability per unit of cost saved first, until
/// `choice` fits `budget` or nothing can be lowered.
void fitBudget(const std::vector<SearchedLayer>& searched, const std::vector<FinalStrengths>& strengths, Choice& choice,
               double fixed, double budget, bool coupled)
{
    while (costOf(searched, choice, fixed) > budget) {
        const double current = costOf(searched, choice, fixed);
        const std::vector<Move> moves = oneStepMoves(strengths, choice, -1, coupled);
        const Move* best = nullptr;
        double bestValue = -1;
        for (const Move& move : moves) {
            const double lost = std::log(move.from) - std::log(move.to);
            const double saved = current - costOf(searched, move.choice, fixed);
            const double value = saved / (std::max(lost, 0.0) + 1e-9);
            if (saved > 0 && value > bestValue) {
                bestValue = value;
                best = &move;
            }
        }
        if (!best)
            return; // every searched width is already its lowest candidate
        choice = best->choice;
    }
}

/// Raises single widths while the budget allows, the one whose raised width its strengths
/// prefer most first: "at most X" should not leave X unused where the argmax fell well below it.
void fillBudget(const std::vector<SearchedLayer>& searched, const std::vector<FinalStrengths>& strengths,
                Choice& choice, double fixed, double budget, bool coupled)
{
    while (true) {
        const std::vector<Move> moves = oneStepMoves(strengths, choice, +1, coupled);
        const Move* best = nullptr;
        for (const Move& move : moves)
            if (costOf(searched, move.choice, fixed) <= budget && (!best || move.to > best->to))
                best = &move;
        if (!best)
            return;
        choice = best->choice;
    }
}

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

} // namespace

EbsResult searchBitWidths(Network& network, const ImageSource& trainSet, const ImageSet& calibrationSet,
                          const Augmentation& augmentation, std::shared_ptr<const Quantizer> base,
                          const EbsOptions& options, const WorkControl& control)
{
    validate(options);
    requireFits(network, trainSet, "EBS search");
    const auto start = std::chrono::steady_clock::now();
    const auto mixed = std::make_shared<MixedPrecisionQuantizer>(std::move(base), options.candidates);
    const BitCandidates& candidates = mixed->candidates();
    const std::vector<LayerInfo>& layers = network.layers();

    std::vector<LayerBits> bits(layers.size(),
                                {MixedPrecisionQuantizer::kSearched, MixedPrecisionQuantizer::kSearched});
    if (options.latency && options.latency->layers.size() != layers.size())
        throw ConfigError("EBS: the latency table has " + std::to_string(options.latency->layers.size())
                          + " layers but the network " + std::to_string(layers.size()));
    // What no searched width changes: layers the policy pins, and the rest of the network's time.
    double fixedCost =
        options.cost == EbsCost::Latency ? options.latency->otherMs / std::max(1, options.latency->batch) : 0;
    if (options.policy.lastLayerBits && !layers.empty()) {
        const int pinned = *options.policy.lastLayerBits;
        bits.back() = {pinned, pinned};
        fixedCost += pairCost(layers, layers.size() - 1, pinned, pinned, mixed->base(), options);
    }

    if (options.budget) {
        double lowest = fixedCost;
        for (size_t i = 0; i < layers.size(); ++i)
            if (bits[i].weight == MixedPrecisionQuantizer::kSearched)
                lowest += pairCost(layers, i, candidates.weight.front(), candidates.activations().front(),
                                   mixed->base(), options);
        if (*options.budget < lowest)
            throw ConfigError("EBS: the budget " + std::to_string(*options.budget)
                              + " is below the cost of every layer at its lowest candidate width ("
                              + std::to_string(lowest) + ")");
    }

    NetworkBackend& backend = network.backend();
    QuantizableLayers& quantLayers = backend.quantLayers();
    if (mixed->needsCalibration())
        calibrateActivations(network, calibrationSet, 512);
    quantLayers.setQuantization(mixed, bits, options.policy.quantizeImageInput);
    struct ClearQuantization { // the network leaves fine-tuned and float, on success or not
        QuantizableLayers& layers;
        ~ClearQuantization() { layers.clearQuantization(); }
    } clear{quantLayers};

    const std::vector<torch::Tensor> strengths = quantLayers.quantizerParameters();
    std::vector<SearchedLayer> searched;
    size_t next = 0;
    double highestCost = fixedCost;
    for (size_t i = 0; i < layers.size(); ++i) {
        if (bits[i].weight != MixedPrecisionQuantizer::kSearched)
            continue;
        SearchedLayer layer;
        layer.index = i;
        layer.weightStrengths = strengths.at(next++);
        layer.activationStrengths = candidates.coupled ? layer.weightStrengths : strengths.at(next++);
        layer.table = layerCostTable(layers, i, mixed->base(), options);
        torch::Tensor table =
            torch::empty({int64_t(layer.table.size()), int64_t(layer.table[0].size())}, torch::kFloat64);
        for (size_t w = 0; w < layer.table.size(); ++w)
            for (size_t a = 0; a < layer.table[w].size(); ++a)
                table[int64_t(w)][int64_t(a)] = layer.table[w][a];
        layer.tableTensor = table;
        highestCost += layer.table.back().back();
        searched.push_back(std::move(layer));
    }
    if (searched.empty())
        throw ConfigError("EBS: the network has no layer to search (every layer is pinned)");

    const auto expectedCost = [&]() {
        torch::Tensor total = torch::zeros({}, torch::kFloat64);
        for (const SearchedLayer& layer : searched) {
            const torch::Tensor pw = torch::softmax(layer.weightStrengths.to(torch::kFloat64), 0);
            if (candidates.coupled) {
                total = total + (pw * layer.tableTensor.diagonal()).sum();
            } else {
                const torch::Tensor pa = torch::softmax(layer.activationStrengths.to(torch::kFloat64), 0);
                total = total + pw.matmul(layer.tableTensor).matmul(pa);
            }
        }
        return total + fixedCost;
    };
    const auto snapshot = [&](int64_t step, double expected, double lambda, double loss) {
        EbsSnapshot s;
        s.step = step;
        s.weight.resize(layers.size());
        s.activation.resize(layers.size());
        for (const SearchedLayer& layer : searched) {
            s.weight[layer.index] = probabilities(layer.weightStrengths);
            s.activation[layer.index] = probabilities(layer.activationStrengths);
        }
        s.expectedCost = expected;
        s.lambda = lambda;
        s.loss = loss;
        return s;
    };

    torch::manual_seed(options.seed);
    std::mt19937_64 rng(options.seed);
    ModeGuard mode(backend, true);
    torch::optim::SGD weightOptimizer(backend.parameters(),
                                      torch::optim::SGDOptions(options.weightLearningRate)
                                          .momentum(options.momentum)
                                          .weight_decay(options.weightDecay));
    torch::optim::SGD strengthOptimizer(strengths,
                                        torch::optim::SGDOptions(options.strengthLearningRate)
                                            .momentum(options.momentum)
                                            .weight_decay(options.strengthWeightDecay));
    TrainingBatches batches(trainSet, size_t(options.batchSize), options.augment ? &augmentation : nullptr, rng,
                            options.steps);
    EbsResult result;
    double lambda = options.lambda;
    for (int64_t step = 0; step < options.steps; ++step) {
        control.checkCancelled();
        const auto [input, target] = batches.next(network.spec(), network.device(), control);

        weightOptimizer.zero_grad();
        strengthOptimizer.zero_grad();
        const torch::Tensor crossEntropy = torch::nn::functional::cross_entropy(backend.forward(input), target);
        const torch::Tensor expected = expectedCost();
        const torch::Tensor loss = crossEntropy + lambda * (expected / highestCost).to(crossEntropy.scalar_type());
        loss.backward();
        weightOptimizer.step();
        strengthOptimizer.step();

        const double lossValue = crossEntropy.item<double>();
        if (!std::isfinite(lossValue))
            throw Error("EBS search diverged (loss is " + std::to_string(lossValue) + ") at step "
                        + std::to_string(step + 1) + ": lower the learning rates");
        const double expectedValue = expected.item<double>();
        if (options.budget) // dual ascent: lambda grows while the expected cost exceeds the budget
            lambda = std::max(0.0, lambda + options.lambdaStep * (expectedValue / *options.budget - 1.0));
        if ((step + 1) % options.recordEvery == 0 || step + 1 == options.steps || step == 0)
            result.history.push_back(snapshot(step + 1, expectedValue, lambda, lossValue));
        control.report("EBS search", step + 1, options.steps);
    }

    std::vector<FinalStrengths> strengthsAtEnd;
    Choice choice;
    for (const SearchedLayer& layer : searched) {
        strengthsAtEnd.push_back({probabilities(layer.weightStrengths), probabilities(layer.activationStrengths)});
        choice.emplace_back(argmax(strengthsAtEnd.back().weight), argmax(strengthsAtEnd.back().activation));
    }
    if (options.budget) {
        fitBudget(searched, strengthsAtEnd, choice, fixedCost, *options.budget, candidates.coupled);
        fillBudget(searched, strengthsAtEnd, choice, fixedCost, *options.budget, candidates.coupled);
    }
    std::vector<LayerBits> chosen = bits;
    for (size_t s = 0; s < searched.size(); ++s)
        chosen[searched[s].index] = {candidates.weight[choice[s].first], candidates.activations()[choice[s].second]};
    result.bits = BitConfig(chosen);
    result.cost = costOf(searched, choice, fixedCost);
    {
        torch::NoGradGuard noGrad;
        result.expectedCost = expectedCost().item<double>();
    }
    result.lambda = lambda;
    result.seconds = seconds(start);
    return result;
}

} // namespace quantscope
