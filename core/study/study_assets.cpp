#include "study/study_assets.h"

#include "common/error.h"
#include "study/study_network.h"

namespace quantscope {

std::shared_ptr<const StudyAssets> StudyAssets::load(const StudySpec& spec, const WorkControl& control)
{
    if (spec.evaluator == "synthetic")
        throw ConfigError("study '" + spec.name + "' has no real network (it uses the synthetic evaluator)");
    NetworkWithData opened = openNetworkWithData(spec.model, spec.inputMean, spec.inputStd, spec.data, control);
    QuantSettings quant;
    quant.quantizer = parseQuantizerKind(spec.quantizer);
    quant.policy.quantizeImageInput = spec.quantizeImageInput;
    const Augmentation augmentation = opened.splits.augmentation;
    return std::make_shared<const StudyAssets>(
        StudyAssets{std::move(opened.network), std::move(opened.splits), augmentation, quant});
}

StudySpec StudyAssets::withMeasuredNormalisation(StudySpec spec) const
{
    if (spec.data.kind() == DatasetKind::ImageFolder && spec.inputMean.empty() && spec.inputStd.empty()
        && network.spec().architecture == "torchscript") {
        spec.inputMean = network.spec().mean;
        spec.inputStd = network.spec().stddev;
    }
    return spec;
}

} // namespace quantscope
