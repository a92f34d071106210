#pragma once

#include "model/inference_graph.h"

#include <map>
#include <string>
#include <vector>

namespace at {
class Tensor;
}
namespace torch::jit {
struct Module;
}

namespace quantscope {

/// The inference computation of an imported TorchScript module (scripted or traced, in eval mode,
/// with the values to export), as operations the exporters write: the module is frozen with its
/// parameters and buffers kept by name (training branches and attribute reads folded away), then
/// each operator of its forward graph is translated. Convolutions and linear maps must be the
/// quantizable layers `layerNames` (qualified module names, in layer order); shape assertions are
/// dropped; dropout and the like are identities. ConfigError naming the operator and its source
/// line (`source`: the model file, for the message) for anything outside the supported set.
InferenceGraph torchScriptInferenceGraph(const torch::jit::Module& module, const std::vector<std::string>& layerNames,
                                         const std::string& source);

/// Copies `values` (by qualified name) into the module's parameters and buffers of those names.
void assignNamedTensors(torch::jit::Module& module, const std::map<std::string, at::Tensor>& values);

/// The operators torchScriptInferenceGraph translates, for messages and docs.
const char* supportedTorchScriptOperators();

} // namespace quantscope
