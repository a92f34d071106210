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
