#pragma once

#include "bitserial/latency_table.h"
#include "common/progress.h"
#include "data/dataset.h"
#include "ebs/mixed_precision_quantizer.h"
#include "model/network.h"
#include "quant/bit_config.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace quantscope {

/// What the search's penalty counts: the expectation, under each layer's softmax, of the cost
/// model's memory (MB) or BOPs, or of the bit-serial engine's measured latency (ms per image,
/// EbsOptions::latency; docs/ebs.md).
enum class EbsCost { Memory, Bops, Latency };

/// One EBS search job (docs/ebs.md): fine-tunes the meta weights and trains the strengths on the
/// same batches with separate SGD optimizers, loss = cross entropy + lambda x E[cost] / cost at the
/// highest candidates (so lambda has no unit).
struct EbsOptions {
    BitCandidates candidates;
    EbsCost cost = EbsCost::Memory;
    /// The network's measured table (bitserial::cachedLatencyTable), for EbsCost::Latency.
    std::optional<bitserial::LatencyTable> latency;
    double lambda = 0;
    /// Hard budget, in the cost's units (MB, BOPs or ms per image): lambda follows dual ascent on
    /// E[cost] / budget - 1 each step (from `lambda`); the final configuration is lowered where it
    /// still exceeds the budget (the widths whose strengths least prefer them first), then raised
    /// one width at a time while it fits (the raised widths the strengths prefer most first).
    /// ConfigError when even the lowest candidates exceed it.
    std::optional<double> budget;
    double lambdaStep = 0.05; ///< dual ascent's step on lambda per optimizer step
    int64_t steps = 300;
    int batchSize = 128;
    double weightLearningRate = 0.001; ///< the meta weights: NUQ's fine-tuning
    double strengthLearningRate = 0.1; ///< EdMIPS's 0.01 is for 25 epochs of ImageNet
    double momentum = 0.9;
    double weightDecay = 5e-4;
    double strengthWeightDecay = 1e-4;
    bool augment = true;
    uint64_t seed = 0;
    int recordEvery = 10; ///< steps between the strengths' snapshots
    LayerPolicy policy;
};

/// The strengths' softmax at one step: per layer, probabilities over the weight candidates and
/// over the activation candidates (the same list when coupled; empty for a layer not searched).
struct EbsSnapshot {
    int64_t step = 0;
    std::vector<std::vector<double>> weight;
    std::vector<std::vector<double>> activation;
    double expectedCost = 0;
    double lambda = 0;
    double loss = 0; ///< cross entropy of that step's batch
};

struct EbsResult {
    BitConfig bits;          ///< each searched layer's most probable candidate (after the budget's repair)
    double cost = 0;         ///< of `bits`, in the cost's units
    double expectedCost = 0; ///< under the final strengths
    double lambda = 0;       ///< at the end (adapted in budget mode)
    std::vector<EbsSnapshot> history;
    double seconds = 0;
};

/// Searches per-layer widths for `network` (left fine-tuned, quantization cleared) on `trainSet`
/// with `base` as every candidate's quantizer. Layers the policy pins keep their bits; a layer
/// reading the image keeps a float input unless the policy quantizes it. Static activation ranges
/// are calibrated on `calibrationSet`'s first images. Deterministic under
/// `options.seed` for a thread count; Cancelled when `control` is.
EbsResult searchBitWidths(Network& network, const ImageSource& trainSet, const ImageSet& calibrationSet,
                          const Augmentation& augmentation, std::shared_ptr<const Quantizer> base,
                          const EbsOptions& options, const WorkControl& control = {});

/// Layer `index`'s cost at each (weight, activation) candidate pair, in `options.cost`'s units:
/// `table[i][j]` for weight candidate i and activation candidate j (coupled: only i == j counts).
std::vector<std::vector<double>> layerCostTable(const std::vector<LayerInfo>& layers, size_t index,
                                                const Quantizer& quantizer, const EbsOptions& options);

} // namespace quantscope
