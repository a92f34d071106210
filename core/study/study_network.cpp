#include "study/study_network.h"

#include "common/error.h"
#include "data/image_folder.h"
#include "model/default_model.h"
#include "model/zoo.h"

#include <optional>
#include <sstream>

namespace quantscope {

namespace {

std::string listed(const std::vector<float>& values)
{
    std::ostringstream out;
    out.precision(4);
    for (size_t i = 0; i < values.size(); ++i)
        out << (i ? "," : "") << values[i];
    return out.str();
}

} // namespace

NetworkWithData openNetworkWithData(const std::string& model, const std::vector<float>& inputMean,
                                    const std::vector<float>& inputStd, const DataSettings& data,
                                    const WorkControl& control)
{
    const std::string path = model.empty() ? defaultModelPath() : model;
    const DatasetKind kind = data.kind();
    std::optional<DataSplits> splits;
    Network network = Network::openOrImport(path, [&] {
        if (kind != DatasetKind::ImageFolder)
            return importedModelInput(kind, inputMean, inputStd);
        splits = loadSplits(data, 0, control);
        std::vector<float> mean = inputMean, stddev = inputStd;
        if (mean.empty() && stddev.empty()) {
            measureNormalisation(splits->calibration, mean, stddev);
            splits->notes.push_back("input normalisation measured on " + std::to_string(splits->calibration.size())
                                    + " training images: --input-mean " + listed(mean) + " --input-std "
                                    + listed(stddev));
        }
        return importedModelInput(splits->shape(), int(splits->classNames.size()), mean, stddev);
    });
    if (!splits)
        splits = loadSplits(data, network.spec().channels, control);
    const ImageShape shape = splits->shape();
    network.requireInputShape(shape.channels, shape.height, shape.width, data.dataset);
    const size_t classes = splits->classNames.size();
    if (kind == DatasetKind::ImageFolder && classes != size_t(network.spec().classes)) {
        if (classes > size_t(network.spec().classes))
            throw ModelError(data.dataDir + " has " + std::to_string(classes)
                             + " class folders but the network outputs " + std::to_string(network.spec().classes)
                             + " classes");
        splits->notes.push_back(data.dataDir + " has " + std::to_string(classes) + " class folders and the network "
                                + std::to_string(network.spec().classes)
                                + " outputs: label k is the k-th class folder in sorted order");
    }
    return {std::move(network), std::move(*splits)};
}

namespace {

/// What an image folder gives a network of `channels` input channels (0: not known), read only as
/// far as that needs: its class folders and one image's header.
struct FolderProbe {
    ImageShape shape;
    int classes = 0;
};

FolderProbe probeImageFolder(const DataSettings& data, int channels)
{
    data.validate();
    const ImageFolderGlance glance = glanceAtImageFolder(imageFolderLayout(data.dataDir).train);
    const ImagePreprocessing transform = data.folder.transform();
    ImageSize size;
    if (const std::optional<ImageSize> fixed = transform.fixedOutput()) {
        size = *fixed;
    } else {
        const ImageHeader first = readImageHeader(glance.firstImage);
        size = transform.output({first.height, first.width});
    }
    const int mode = data.folder.colorFor(channels) == ColorMode::Gray ? 1 : 3;
    return {ImageShape{mode, size.height, size.width}, int(glance.classes.size())};
}

} // namespace

Network openNetwork(const std::string& model, const std::vector<float>& inputMean, const std::vector<float>& inputStd,
                    const DataSettings& data)
{
    const std::string path = model.empty() ? defaultModelPath() : model;
    const bool folder = data.kind() == DatasetKind::ImageFolder;
    bool imported = false;
    Network network = Network::openOrImport(path, [&] {
        imported = true;
        if (!folder)
            return importedModelInput(data.kind(), inputMean, inputStd);
        const FolderProbe probe = probeImageFolder(data, 0);
        return importedModelInput(probe.shape, probe.classes, inputMean, inputStd);
    });
    if (folder && !imported) { // a Quantscope model: its input must be what the folder gives
        const ImageShape shape = probeImageFolder(data, network.spec().channels).shape;
        network.requireInputShape(shape.channels, shape.height, shape.width, data.dataset);
    }
    return network;
}

Network openStudyNetwork(const StudySpec& spec)
{
    return openNetwork(spec.model, spec.inputMean, spec.inputStd, spec.data);
}

} // namespace quantscope
