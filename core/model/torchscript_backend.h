#pragma once

#include "model/model_spec.h"

#include <memory>
#include <string>

namespace quantscope {

class NetworkBackend;

/// A network imported from a TorchScript file (torch.jit.script or torch.jit.trace, then
/// torch.jit.save). Every torch.nn.Conv2d (grouped and depthwise included) and torch.nn.Linear
/// submodule becomes a quantizable layer under its qualified module name, in the order a forward
/// pass reaches it: its forward graph is rewritten to pass its input, weight and output through
/// Quantscope's quantizers (straight-through gradients, so the scripted parameters fine-tune).
/// `spec` gives the input (channels, size) and normalisation; `spec.classes` is set from the
/// model's output. ModelError naming the file and the problem for anything else: not TorchScript,
/// no conv or linear layers, an input shape the model does not take, a forward pass that raises.
std::shared_ptr<NetworkBackend> importTorchScript(const std::string& path, ModelSpec& spec);

} // namespace quantscope
