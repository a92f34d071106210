#include "model/zoo.h"

#include "common/error.h"
#include "model/network_backend.h"

#include <torch/torch.h>

namespace quantscope {

std::vector<at::Tensor> ZooBackend::parameters() const
{
    return const_cast<ZooBackend*>(this)->module().parameters();
}

std::vector<std::pair<std::string, at::Tensor>> ZooBackend::namedTensors() const
{
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& item : module().named_parameters())
        out.emplace_back(item.key(), item.value());
    for (const auto& item : module().named_buffers())
        out.emplace_back(item.key(), item.value());
    return out;
}

void ZooBackend::setTraining(bool training)
{
    module().train(training);
}

bool ZooBackend::isTraining() const
{
    return module().is_training();
}

void ZooBackend::to(const std::string& device)
{
    module().to(torch::Device(device));
}

std::shared_ptr<NetworkBackend> ZooBackend::clone() const
{
    std::shared_ptr<NetworkBackend> copy = makeZooNetwork(spec_);
    torch::NoGradGuard noGrad;
    const auto source = namedTensors();
    const auto target = copy->namedTensors();
    for (size_t i = 0; i < source.size(); ++i)
        target[i].second.copy_(source[i].second);
    copy->setTraining(isTraining());
    copy->quantLayers().setActivationRanges(quantLayers().activationRanges());
    return copy;
}

ModelSpec importedModelInput(DatasetKind dataset, std::vector<float> mean, std::vector<float> stddev)
{
    const DatasetFacts facts = datasetFacts(dataset);
    ModelSpec input;
    input.architecture = "torchscript";
    input.channels = facts.channels;
    input.height = facts.height;
    input.width = facts.width;
    input.classes = facts.classes;
    input.mean = std::move(mean);
    input.stddev = std::move(stddev);
    input.validateNormalisation();
    return input;
}

std::vector<ZooEntry> zooArchitectures()
{
    return {
        {"vgg11s", "VGG-11-style: 8 conv (3x3, BN, ReLU) in VGG-11's stage pattern, 16-128 channels, 1 linear"},
        {"resnet20",
         "ResNet-20 for CIFAR (He et al. 2016): 19 conv in 3 stages of 16/32/64 channels, 1x1 conv shortcuts"},
        {"googlenet-s", "small GoogLeNet: stem conv and 4 inception modules (1x1, 3x3, double-3x3, pool branches)"},
    };
}

ModelSpec zooSpec(const std::string& architecture, DatasetKind dataset)
{
    const DatasetFacts facts = datasetFacts(dataset);
    ModelSpec spec;
    spec.architecture = architecture;
    spec.channels = facts.channels;
    spec.height = facts.height;
    spec.width = facts.width;
    spec.classes = facts.classes;
    spec.mean = facts.mean;
    spec.stddev = facts.stddev;
    return spec;
}

std::shared_ptr<NetworkBackend> makeZooNetwork(const ModelSpec& spec)
{
    if (spec.channels < 1 || spec.height < 8 || spec.width < 8 || spec.classes < 2)
        throw ModelError("invalid input shape " + spec.inputShapeText() + " or class count for " + spec.architecture);
    if (spec.architecture == "vgg11s")
        return makeVgg11s(spec);
    if (spec.architecture == "resnet20")
        return makeResnet20(spec);
    if (spec.architecture == "googlenet-s")
        return makeGooglenetSmall(spec);
    std::string known;
    for (const auto& entry : zooArchitectures())
        known += (known.empty() ? "" : ", ") + entry.name;
    throw ModelError("unknown architecture '" + spec.architecture + "': expected one of " + known);
}

} // namespace quantscope
