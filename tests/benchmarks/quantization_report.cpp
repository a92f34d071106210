// The foundation's reference table: the shipped model on Fashion-MNIST in float, at uniform bit
// widths, and NUQ's asymmetry ("more bits early, fewer late" against its reverse at equal total
// bits), each quantized only and after a short NUQ fine-tune. Scored on the untouched hold-out
// split. Prints Markdown. Usage: quantization_report [finetune-steps] [threads]
#include "data/dataset.h"
#include "model/default_model.h"
#include "model/network.h"
#include "train/device.h"
#include "train/quantized_evaluation.h"
#include "train/trainer.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace quantscope;

int main(int argc, char** argv)
{
    const int64_t steps = argc > 1 ? std::atoll(argv[1]) : 200;
    setComputeThreads(argc > 2 ? std::atoi(argv[2]) : 2);
    const Network base = Network::load(defaultModelPath());
    const Dataset data = loadDataset(DatasetKind::FashionMnist);
    const DataSplits splits = splitDataset(data);
    const EvaluationData evaluation = EvaluationData::of(splits, *splits.holdout);
    Network floatNetwork = base.clone();

    std::printf("Shipped model `%s`, DSConv quantizer, top-1 on the %zu hold-out images; fine-tune: %lld NUQ "
                "steps (SGD lr 0.001, batch 128), seed 0.\n\n",
                base.spec().architecture.c_str(), splits.holdout->size(), static_cast<long long>(steps));
    std::printf("| configuration | bits (conv0..conv7, classifier) | memory MB | GBOPs | top-1 quantized | top-1 "
                "fine-tuned |\n");
    std::printf("|---|---|---:|---:|---:|---:|\n");
    const CostReport floatCost =
        computeCost(base.layers(), BitConfig::uniform(0, base.layers().size()), *makeQuantizer(QuantizerKind::DSConv));
    std::printf("| float | f | %.4f | %.2f | %.2f | - |\n", floatCost.memoryMB, floatCost.bops / 1e9,
                evaluateAccuracy(floatNetwork, *splits.holdout));

    const std::vector<std::pair<std::string, std::string>> configs = {
        {"uniform 8-bit", "8"},
        {"uniform 4-bit", "4"},
        {"uniform 3-bit", "3"},
        {"uniform 2-bit", "2"},
        {"more bits early", "6,6,5,5,4,4,3,3,8"},
        {"more bits late (reverse)", "3,3,4,4,5,5,6,6,8"},
        {"more bits early, low", "4,4,3,3,3,3,2,2,8"},
        {"more bits late, low (reverse)", "2,2,3,3,3,3,4,4,8"},
    };
    for (const auto& [label, text] : configs) {
        EvaluationRequest request;
        request.bits = BitConfig::parse(text, base.layerNames());
        const EvaluationResult quantized = evaluateConfiguration(base, evaluation, request);
        request.fineTune = TrainOptions::nuqFineTune(steps, 0);
        const EvaluationResult tuned = evaluateConfiguration(base, evaluation, request);
        std::printf("| %s | %s | %.4f | %.2f | %.2f | %.2f |\n", label.c_str(), request.bits.toString().c_str(),
                    quantized.cost.memoryMB, quantized.cost.bops / 1e9, quantized.accuracy, tuned.accuracy);
        std::fflush(stdout);
    }
    return 0;
}
