#pragma once

#include "data/dataset.h"
#include "model/model_spec.h"

#include <memory>
#include <string>
#include <vector>

namespace quantscope {

class NetworkBackend;

/// Networks Quantscope builds itself, sized for a 2-core CPU and 28x28x1 or 32x32x3 input.
struct ZooEntry {
    std::string name;
    std::string description;
};
std::vector<ZooEntry> zooArchitectures();

/// The spec of zoo network `architecture` shaped and normalised for data set `dataset`.
ModelSpec zooSpec(const std::string& architecture, DatasetKind dataset);

/// The input an imported (TorchScript) model gets from data set `dataset`: its image shape, and
/// the model's own normalisation (empty: pixels in [0, 1]). ModelError for a malformed one.
ModelSpec importedModelInput(DatasetKind dataset, std::vector<float> mean, std::vector<float> stddev);
/// The input an imported model gets from images of `shape` in `classes` classes (an image folder's).
ModelSpec importedModelInput(const ImageShape& shape, int classes, std::vector<float> mean, std::vector<float> stddev);
/// A zoo network's spec for images of `shape` in `classes` classes, normalised by `mean`/`stddev`.
ModelSpec zooSpec(const std::string& architecture, const ImageShape& shape, int classes, std::vector<float> mean,
                  std::vector<float> stddev);

/// A freshly initialised network of `spec.architecture`; ModelError for an unknown name.
std::shared_ptr<NetworkBackend> makeZooNetwork(const ModelSpec& spec);

// One factory per architecture, each in its own translation unit.
std::shared_ptr<NetworkBackend> makeVgg11s(const ModelSpec& spec);
std::shared_ptr<NetworkBackend> makeResnet20(const ModelSpec& spec);
std::shared_ptr<NetworkBackend> makeGooglenetSmall(const ModelSpec& spec);

} // namespace quantscope
