// The quantizers side by side (issue 17): a model on Fashion-MNIST (the shipped one unless MODEL is
// given), every quantizer at uniform widths, the seeds' headline settings (HWGQ's W1/A2, QN's W1-W3
// with float activations) and NUQ-style mixed configurations ("more bits early": linear ramps over
// the layers before the last, which keeps 8 bits), quantized only and after a fixed NUQ fine-tune,
// scored on the untouched hold-out split. Prints Markdown and, with OUT.csv, plot-ready rows.
// Usage: quantizer_comparison [finetune-steps] [threads] [OUT.csv or -] [quantizer,quantizer,...] [MODEL]
//        [configurations: indexes into the list below, e.g. 3,4,6,9]
#include "data/dataset.h"
#include "model/default_model.h"
#include "model/network.h"
#include "train/device.h"
#include "train/quantized_evaluation.h"
#include "train/trainer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

using namespace quantscope;

int main(int argc, char** argv)
{
    const int64_t steps = argc > 1 ? std::atoll(argv[1]) : 600;
    setComputeThreads(argc > 2 ? std::atoi(argv[2]) : 2);
    std::FILE* csv = argc > 3 && std::string(argv[3]) != "-" ? std::fopen(argv[3], "w") : nullptr;
    std::vector<QuantizerKind> kinds = {QuantizerKind::DSConv, QuantizerKind::Uniform, QuantizerKind::Hwgq};
    if (argc > 4) {
        kinds.clear();
        std::istringstream names(argv[4]);
        for (std::string name; std::getline(names, name, ',');)
            kinds.push_back(parseQuantizerKind(name));
    }
    const Network base = Network::load(argc > 5 ? std::string(argv[5]) : defaultModelPath());
    const Dataset data = loadDataset(DatasetKind::FashionMnist);
    const DataSplits splits = splitDataset(data);
    const EvaluationData evaluation = EvaluationData::of(splits, *splits.holdout);
    Network floatNetwork = base.clone();
    const double floatAccuracy = evaluateAccuracy(floatNetwork, *splits.holdout);

    std::printf("Model `%s`, top-1 on the %zu hold-out images (float: %.2f %%); fine-tune: %lld NUQ steps "
                "(SGD lr 0.001, batch 128), seed 0. The classifier keeps 8 bits; the image entering the first "
                "layer stays float.\n\n",
                base.spec().architecture.c_str(), splits.holdout->size(), floatAccuracy, static_cast<long long>(steps));
    std::printf(
        "| quantizer | configuration | bits (layer by layer, the last at 8) | memory MB | top-1 quantized | top-1 "
        "fine-tuned | fine-tuned - float |\n");
    std::printf("|---|---|---|---:|---:|---:|---:|\n");
    if (csv)
        std::fprintf(csv, "quantizer,configuration,bits,memory_mb,gbops,quantized,fine_tuned,float,steps\n");

    // Every layer but the last at `entry`, the last at 8; or a ramp from `first` to `last` bits.
    const size_t layers = base.layerNames().size();
    const auto uniform = [&](const std::string& entry) {
        std::string text;
        for (size_t i = 0; i + 1 < layers; ++i)
            text += entry + ",";
        return text + "8";
    };
    const auto ramp = [&](double first, double last) {
        std::string text;
        for (size_t i = 0; i + 1 < layers; ++i)
            text += std::to_string(std::lround(first + (last - first) * double(i) / double(layers - 2))) + ",";
        return text + "8";
    };
    const std::vector<std::pair<std::string, std::string>> configs = {
        {"uniform 8-bit", "8"},
        {"uniform 4-bit", uniform("4")},
        {"uniform 3-bit", uniform("3")},
        {"uniform 2-bit", uniform("2")},
        {"W1/A2 (HWGQ's headline)", uniform("1/2")},
        {"W1, float activations (QN's)", uniform("1/f")},
        {"W2, float activations (QN's)", uniform("2/f")},
        {"W3, float activations (QN's)", uniform("3/f")},
        {"more bits early (NUQ)", ramp(6, 3)},      // the shipped model: 6,6,5,5,4,4,3,3,8
        {"more bits early, low (NUQ)", ramp(4, 2)}, // 4,4,3,3,3,3,2,2,8
    };
    std::vector<bool> chosen(configs.size(), argc <= 6);
    if (argc > 6) {
        std::istringstream indexes(argv[6]);
        for (std::string index; std::getline(indexes, index, ',');)
            chosen.at(size_t(std::stoul(index))) = true;
    }
    for (QuantizerKind kind : kinds) {
        for (size_t c = 0; c < configs.size(); ++c) {
            if (!chosen[c])
                continue;
            const auto& [label, text] = configs[c];
            EvaluationRequest request;
            request.quant.quantizer = kind;
            request.bits = BitConfig::parse(text, base.layerNames());
            const EvaluationResult quantized = evaluateConfiguration(base, evaluation, request);
            request.fineTune = TrainOptions::nuqFineTune(steps, 0);
            const EvaluationResult tuned = evaluateConfiguration(base, evaluation, request);
            const std::string name = quantizerName(kind);
            std::printf("| %s | %s | %s | %.4f | %.2f | %.2f | %+.2f |\n", name.c_str(), label.c_str(),
                        request.bits.toString().c_str(), quantized.cost.memoryMB, quantized.accuracy, tuned.accuracy,
                        tuned.accuracy - floatAccuracy);
            std::fflush(stdout);
            if (csv) {
                std::fprintf(csv, "%s,\"%s\",\"%s\",%.6f,%.6f,%.2f,%.2f,%.2f,%lld\n", name.c_str(), label.c_str(),
                             request.bits.toString().c_str(), quantized.cost.memoryMB, quantized.cost.bops / 1e9,
                             quantized.accuracy, tuned.accuracy, floatAccuracy, static_cast<long long>(steps));
                std::fflush(csv);
            }
        }
    }
    if (csv)
        std::fclose(csv);
    return 0;
}
