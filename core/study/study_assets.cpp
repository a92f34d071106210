#include "study/study_assets.h"

#include "common/error.h"
#include "study/study_network.h"

namespace quantscope {

std::shared_ptr<const StudyAssets> StudyAssets::load(const StudySpec& spec)
{
    if (spec.evaluator == "synthetic")
        throw ConfigError("study '" + spec.name + "' has no real network (it uses the synthetic evaluator)");
    Network network = openStudyNetwork(spec);
    const Dataset dataset = loadDataset(parseDatasetKind(spec.dataset), spec.dataDir);
    network.requireInputShape(dataset.test.channels, dataset.test.height, dataset.test.width, spec.dataset);
    DataSplits splits = splitDataset(dataset, spec.searchSize, spec.splitSeed);
    if (spec.limit > 0) {
        splits.train = splits.train.head(spec.limit);
        splits.search = splits.search.head(spec.limit);
        splits.holdout = splits.holdout.head(spec.limit);
    }
    QuantSettings quant;
    quant.quantizer = parseQuantizerKind(spec.quantizer);
    quant.policy.quantizeImageInput = spec.quantizeImageInput;
    return std::make_shared<const StudyAssets>(
        StudyAssets{std::move(network), std::move(splits), dataset.augmentation, quant});
}

} // namespace quantscope
