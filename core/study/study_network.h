#pragma once

#include "common/progress.h"
#include "data/data_settings.h"
#include "model/network.h"
#include "study/study_spec.h"

#include <string>
#include <vector>

namespace quantscope {

/// A network and the data it is quantized and scored on, opened together.
struct NetworkWithData {
    Network network;
    DataSplits splits;
};

/// Opens `model` (the shipped model when empty) and the data `data` describes (docs/data.md): an
/// image folder's colour mode follows a Quantscope model's input channels (RGB for a TorchScript
/// file, as torchvision's loader); a TorchScript file is imported for the data's image shape and
/// classes with `inputMean`/`inputStd`, which for an image folder are measured on the training
/// images when not given (a note in `splits.notes` says so). ModelError when the network does not
/// fit the data; DataError, ImageError or ConfigError naming what is wrong with the data.
NetworkWithData openNetworkWithData(const std::string& model, const std::vector<float>& inputMean,
                                    const std::vector<float>& inputStd, const DataSettings& data,
                                    const WorkControl& control = {});

/// `model` (the shipped model when empty) alone, its data read only as far as the network's input
/// needs (an image folder's classes and first image header): for listing layers and costs, and
/// to check that the network takes what an image folder gives (ModelError otherwise).
Network openNetwork(const std::string& model, const std::vector<float>& inputMean, const std::vector<float>& inputStd,
                    const DataSettings& data);

/// The network study `spec` quantizes (openNetwork). Apart from StudySpec so that specs stay
/// plain data.
Network openStudyNetwork(const StudySpec& spec);

} // namespace quantscope
