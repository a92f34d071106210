// The zoo's catalogue and input specs: plain data, no LibTorch (the sanitizer and fuzz builds use it).
#include "model/zoo.h"

namespace quantscope {

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

ModelSpec importedModelInput(const ImageShape& shape, int classes, std::vector<float> mean, std::vector<float> stddev)
{
    ModelSpec input = zooSpec("torchscript", shape, classes, std::move(mean), std::move(stddev));
    input.validateNormalisation();
    return input;
}

ModelSpec zooSpec(const std::string& architecture, const ImageShape& shape, int classes, std::vector<float> mean,
                  std::vector<float> stddev)
{
    ModelSpec spec;
    spec.architecture = architecture;
    spec.channels = shape.channels;
    spec.height = shape.height;
    spec.width = shape.width;
    spec.classes = classes;
    spec.mean = std::move(mean);
    spec.stddev = std::move(stddev);
    return spec;
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

} // namespace quantscope
