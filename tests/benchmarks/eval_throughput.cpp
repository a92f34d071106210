// Evaluation throughput on the search split: images per second of the shipped model in float and
// under each quantizer, and the ratio to float. Usage: eval_throughput [threads] [repeats]
#include "data/dataset.h"
#include "model/default_model.h"
#include "model/network.h"
#include "train/device.h"
#include "train/quantized_evaluation.h"
#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace quantscope;

namespace {

/// Median images/s of `repeats` full passes over `set` (after one warm-up pass).
double imagesPerSecond(Network& network, const ImageSet& set, int repeats)
{
    evaluateAccuracy(network, set);
    std::vector<double> rates;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        evaluateAccuracy(network, set);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        rates.push_back(double(set.size()) / seconds);
    }
    std::sort(rates.begin(), rates.end());
    return rates[rates.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
    setComputeThreads(threads);
    const Network base = Network::load(defaultModelPath());
    const Dataset data = loadDataset(DatasetKind::FashionMnist);
    const DataSplits splits = splitDataset(data);

    std::printf("model %s, search split %zu images, %d threads, median of %d passes\n\n",
                base.spec().architecture.c_str(), splits.search.size(), threads, repeats);
    std::printf("%-10s %-22s %10s %10s %9s\n", "quantizer", "bits", "images/s", "top-1 %", "vs float");
    Network floatNetwork = base.clone();
    const double floatRate = imagesPerSecond(floatNetwork, splits.search, repeats);
    std::printf("%-10s %-22s %10.0f %10.2f %8.2fx\n", "float", "-", floatRate,
                evaluateAccuracy(floatNetwork, splits.search), 1.0);

    for (QuantizerKind kind : {QuantizerKind::DSConv, QuantizerKind::Uniform}) {
        for (const char* bits : {"8", "8,6,6,4,4,3,3,2,8"}) {
            Network network = base.clone();
            QuantSettings settings;
            settings.quantizer = kind;
            applyQuantization(network, BitConfig::parse(bits, network.layerNames()), settings, splits.calibration);
            const double rate = imagesPerSecond(network, splits.search, repeats);
            std::printf("%-10s %-22s %10.0f %10.2f %8.2fx\n", quantizerName(kind).c_str(), bits, rate,
                        evaluateAccuracy(network, splits.search), rate / floatRate);
        }
    }
    return 0;
}
