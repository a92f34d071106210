#include "export/torchscript_export.h"

#include "common/error.h"
#include "export/quantized_snapshot.h"
#include "model/network_backend.h"
#include "model/torchscript_graph.h"
#include "quant/hwgq_quantizer.h"
#include "quant/uniform_quantizer.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

namespace quantscope {
namespace {

std::string attributeName(const std::string& qualified)
{
    std::string name = qualified;
    for (char& c : name)
        if (c == '.')
            c = '_';
    return name;
}

std::string number(double value)
{
    std::ostringstream out;
    out.precision(17);
    out << value;
    std::string text = out.str();
    if (text.find_first_of(".eE") == std::string::npos)
        text += ".0";
    return text;
}

/// TorchScript versions of the activation quantizers, matching DsconvQuantizer, UniformQuantizer
/// and HwgqQuantizer operation for operation, and learned staircases (QN, LearnedStaircase).
const char* const kHelpers = R"(
def quantize_bfp(self, x: Tensor, bits: int) -> Tensor:
    nonneg = bool(x.min() >= 0)
    channels = x.size(1)
    magnitude = x.abs()
    if channels <= 32:
        block_max = magnitude.amax(1, keepdim=True)
    else:
        blocks = (channels + 31) // 32
        shape = magnitude.size()
        if blocks * 32 != channels:
            pad_shape = list(shape)
            pad_shape[1] = blocks * 32 - channels
            magnitude = torch.cat([magnitude, torch.zeros(pad_shape, dtype=magnitude.dtype, device=magnitude.device)], 1)
        grouped = list(shape)
        grouped[1] = 32
        grouped.insert(1, blocks)
        maxima = magnitude.reshape(grouped).amax(2, keepdim=True)
        expanded = list(maxima.size())
        expanded[2] = 32
        merged = list(shape)
        merged[1] = blocks * 32
        block_max = maxima.expand(expanded).reshape(merged).narrow(1, 0, channels)
    exponent = torch.floor(torch.log2(block_max.clamp_min(1e-30))) + 1
    shift = bits if nonneg else bits - 1
    step = torch.exp2(exponent - shift)
    lo = 0.0 if nonneg else -float(2 ** (bits - 1))
    hi = float(2 ** bits - 1) if nonneg else float(2 ** (bits - 1) - 1)
    return torch.round(x / step).clamp(lo, hi) * step

def quantize_uniform(self, x: Tensor, scale: float, lo: float, hi: float) -> Tensor:
    return torch.round(x / scale).clamp(lo, hi) * scale

def quantize_staircase(self, x: Tensor, alpha: float, beta: float, thresholds: Tensor, levels: Tensor) -> Tensor:
    return levels[torch.bucketize(beta * x, thresholds)] * alpha

def quantize_hwgq(self, x: Tensor, step: float, levels: float, half_wave: bool) -> Tensor:
    if half_wave:
        return torch.where(x > 0, torch.round(x / step).clamp(1.0, levels) * step, torch.zeros_like(x))
    return (torch.floor(x / step).clamp(-levels - 1.0, levels) + 0.5) * step
)";

std::string join(const std::vector<std::string>& items)
{
    std::string text;
    for (const std::string& item : items)
        text += (text.empty() ? "" : ", ") + item;
    return text;
}

/// `self.<module>_<field>`, the attribute holding a parameter or buffer.
std::string attribute(const std::string& module, const std::string& field)
{
    return "self." + attributeName(module + "." + field);
}

/// `[v, v]`
std::string pair(int value)
{
    return "[" + std::to_string(value) + ", " + std::to_string(value) + "]";
}

std::string bound(double value)
{
    return std::isfinite(value) ? number(value) : "None";
}

/// The statement computing one graph operation; `operand` names a value or constant in the source.
std::string statement(const GraphOp& op, const std::function<std::string(int, const std::string&)>& quantizeInput,
                      const std::function<std::string(const std::string&)>& operand)
{
    std::vector<std::string> in;
    for (const std::string& input : op.inputs)
        in.push_back(operand(input));
    const std::string& x = in.front();
    const std::string stride = pair(op.stride);
    std::ostringstream e;
    switch (op.kind) {
    case GraphOp::Kind::Conv:
        e << "torch.conv2d(" << quantizeInput(op.layer, x) << ", " << attribute(op.module, "weight") << ", "
          << (op.hasBias ? attribute(op.module, "bias") : "None") << ", " << stride << ", " << pair(op.padding) << ", "
          << pair(op.dilation) << ", " << op.groups << ")";
        break;
    case GraphOp::Kind::Linear:
        e << "torch.linear(" << quantizeInput(op.layer, x) << ", " << attribute(op.module, "weight") << ", "
          << (op.hasBias ? attribute(op.module, "bias") : "None") << ")";
        break;
    case GraphOp::Kind::BatchNorm:
        e << "torch.batch_norm(" << x << ", " << attribute(op.module, "weight") << ", " << attribute(op.module, "bias")
          << ", " << attribute(op.module, "running_mean") << ", " << attribute(op.module, "running_var")
          << ", False, 0.0, " << number(op.eps) << ", False)";
        break;
    case GraphOp::Kind::Relu: e << "torch.relu(" << x << ")"; break;
    case GraphOp::Kind::MaxPool:
        e << "torch.max_pool2d(" << x << ", " << pair(op.kernel) << ", " << stride << ", " << pair(op.padding) << ", "
          << pair(op.dilation) << ", " << (op.ceilMode ? "True" : "False") << ")";
        break;
    case GraphOp::Kind::AveragePool:
        e << "torch.avg_pool2d(" << x << ", " << pair(op.kernel) << ", " << stride << ", " << pair(op.padding) << ", "
          << (op.ceilMode ? "True" : "False") << ", " << (op.countIncludePad ? "True" : "False") << ")";
        break;
    case GraphOp::Kind::Add: e << in[0] << " + " << in[1]; break;
    case GraphOp::Kind::Sub: e << in[0] << " - " << in[1]; break;
    case GraphOp::Kind::Mul: e << in[0] << " * " << in[1]; break;
    case GraphOp::Kind::Div: e << in[0] << " / " << in[1]; break;
    case GraphOp::Kind::Concat: e << "torch.cat([" << join(in) << "], " << op.axis << ")"; break;
    case GraphOp::Kind::GlobalAveragePool:
        e << "torch.adaptive_avg_pool2d(" << x << ", [1, 1])" << (op.keepSpatial ? "" : ".flatten(1)");
        break;
    case GraphOp::Kind::Clip: e << "torch.clamp(" << x << ", " << bound(op.lo) << ", " << bound(op.hi) << ")"; break;
    case GraphOp::Kind::LeakyRelu:
        e << "torch.nn.functional.leaky_relu(" << x << ", " << number(op.alpha) << ")";
        break;
    case GraphOp::Kind::Sigmoid: e << "torch.sigmoid(" << x << ")"; break;
    case GraphOp::Kind::Tanh: e << "torch.tanh(" << x << ")"; break;
    case GraphOp::Kind::Softmax: e << "torch.softmax(" << x << ", " << op.axis << ")"; break;
    case GraphOp::Kind::LogSoftmax: e << "torch.log_softmax(" << x << ", " << op.axis << ")"; break;
    case GraphOp::Kind::Reshape: {
        std::vector<std::string> dims;
        for (size_t i = 0; i < op.shape.size(); ++i) // 0: the input's size there, as ONNX's Reshape reads it
            dims.push_back(op.shape[i] == 0 ? x + ".size(" + std::to_string(i) + ")" : std::to_string(op.shape[i]));
        e << x << ".reshape([" << join(dims) << "])";
        break;
    }
    }
    return "    " + op.output + " = " + e.str() + "\n";
}

/// Each quantized layer's input quantizer, as a method on the layer's class: per-instance
/// attributes choose float (0), block floating point (1, `_qs_bits`), uniform (2), HWGQ (3:
/// step `_qs_scale`, `_qs_hi` levels, `_qs_half_wave`) or a learned staircase (4: `_qs_lo` alpha,
/// `_qs_scale` beta, `_qs_thresholds`, `_qs_levels`).
const char* const kLayerInputQuantizer = R"(
def _qs_quantize_input(self, x: Tensor) -> Tensor:
    if self._qs_mode == 1:
        return self.quantize_bfp(x, self._qs_bits)
    if self._qs_mode == 2:
        return self.quantize_uniform(x, self._qs_scale, self._qs_lo, self._qs_hi)
    if self._qs_mode == 3:
        return self.quantize_hwgq(x, self._qs_scale, self._qs_hi, self._qs_half_wave)
    if self._qs_mode == 4:
        return self.quantize_staircase(x, self._qs_lo, self._qs_scale, self._qs_thresholds, self._qs_levels)
    return x
)";

/// The TorchScript source of `kind`'s activation quantizer of a layer input at `bits` (> 0).
std::string activationQuantizerCall(QuantizerKind kind, const std::string& input, int bits,
                                    const ActivationRange& range)
{
    switch (kind) {
    case QuantizerKind::DSConv: return "self.quantize_bfp(" + input + ", " + std::to_string(bits) + ")";
    case QuantizerKind::Uniform: {
        const UniformGrid grid = uniformActivationGrid(bits, range);
        return "self.quantize_uniform(" + input + ", " + number(grid.scale) + ", " + number(grid.lo) + ", "
            + number(grid.hi) + ")";
    }
    case QuantizerKind::Hwgq: {
        const HwgqGrid grid = hwgqActivationGrid(bits, range);
        return "self.quantize_hwgq(" + input + ", " + number(grid.step) + ", " + number(grid.levels) + ", "
            + (grid.halfWave ? "True" : "False") + ")";
    }
    case QuantizerKind::Qn:
    case QuantizerKind::QnPowerOfTwo: break; // learned: LearnedStaircase
    }
    throw ConfigError("TorchScript export: unknown quantizer");
}

/// An imported network: the user's module with quantized weights and values, and each quantized
/// layer's forward calling `_qs_quantize_input` on its input (standard operators only, so any
/// PyTorch loads it). The input convention (normalisation) stays the model's own.
void exportImported(const QuantizedSnapshot& snapshot, torch::jit::Module module, const std::string& path,
                    const torch::jit::ExtraFilesMap& extra)
{
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> values;
    snapshot.forEachTensor([&](const std::string& name, const torch::Tensor& value) { values[name] = value; });
    assignNamedTensors(module, values);

    std::map<std::string, int> layerIndex;
    const std::vector<LayerInfo>& layers = snapshot.network().layers();
    for (size_t i = 0; i < layers.size(); ++i)
        layerIndex[layers[i].name] = int(i);
    std::set<c10::ClassTypePtr> layerTypes;
    for (const auto& item : module.named_modules())
        if (layerIndex.count(item.name))
            layerTypes.insert(item.value.type());
    const QuantizerKind kind = snapshot.settings().quantizer;
    for (const auto& item : module.named_modules()) {
        if (!layerTypes.count(item.value.type()))
            continue;
        torch::jit::Module layer = item.value;
        const auto found = layerIndex.find(item.name);
        const int bits = found == layerIndex.end() ? 0 : snapshot.inputBits(found->second);
        int64_t mode = 0;
        UniformGrid grid;
        HwgqGrid hwgq;
        const std::optional<LearnedStaircase> learned =
            found == layerIndex.end() ? std::nullopt : snapshot.inputStaircase(found->second);
        torch::Tensor thresholds = torch::zeros({0}), levels = torch::zeros({0});
        if (learned) {
            mode = 4;
            grid.lo = learned->alpha;
            grid.scale = learned->beta;
            thresholds = torch::tensor(learned->thresholds, torch::kFloat64).to(torch::kFloat32);
            levels = torch::tensor(learned->levels, torch::kFloat64).to(torch::kFloat32);
        } else if (bits > 0 && kind == QuantizerKind::DSConv) {
            mode = 1;
        } else if (bits > 0 && kind == QuantizerKind::Uniform) {
            mode = 2;
            grid = uniformActivationGrid(bits, snapshot.inputRange(found->second));
        } else if (bits > 0 && kind == QuantizerKind::Hwgq) {
            mode = 3;
            hwgq = hwgqActivationGrid(bits, snapshot.inputRange(found->second));
            grid.scale = hwgq.step;
            grid.hi = hwgq.levels;
        }
        layer.register_attribute("_qs_mode", c10::IntType::get(), mode);
        layer.register_attribute("_qs_bits", c10::IntType::get(), int64_t(bits));
        layer.register_attribute("_qs_scale", c10::FloatType::get(), grid.scale);
        layer.register_attribute("_qs_lo", c10::FloatType::get(), grid.lo);
        layer.register_attribute("_qs_hi", c10::FloatType::get(), grid.hi);
        layer.register_attribute("_qs_half_wave", c10::BoolType::get(), hwgq.halfWave);
        layer.register_attribute("_qs_thresholds", c10::TensorType::get(), thresholds);
        layer.register_attribute("_qs_levels", c10::TensorType::get(), levels);
    }
    std::set<c10::ClassTypePtr> rewritten;
    for (const auto& item : module.named_modules()) {
        if (!layerTypes.count(item.value.type()) || !rewritten.insert(item.value.type()).second)
            continue;
        torch::jit::Module layer = item.value;
        layer.define(std::string(kHelpers) + kLayerInputQuantizer);
        const std::shared_ptr<torch::jit::Graph> graph = layer.get_method("forward").graph();
        torch::jit::Value* self = graph->inputs()[0];
        torch::jit::Value* input = graph->inputs()[1];
        torch::jit::WithInsertPoint start(graph->block()->nodes().front());
        torch::jit::Node* call = graph->create(c10::prim::CallMethod, {self, input});
        call->s_(c10::attr::name, "_qs_quantize_input");
        call->output()->setType(c10::TensorType::get());
        graph->insertNode(call);
        input->replaceAllUsesAfterNodeWith(call, call->output());
    }
    module.eval();
    module.save(path, extra);
}

} // namespace

void exportTorchScript(const Network& network, const BitConfig& bits, const QuantSettings& settings,
                       const ImageSet& calibrationSet, const std::string& path, const std::string& provenance)
{
    torch::jit::ExtraFilesMap extra;
    if (!provenance.empty())
        extra["quantscope.json"] = provenance;
    torch::jit::Module original;
    if (network.backend().originalTorchScript(original)) {
        const QuantizedSnapshot snapshot(network, bits, settings, calibrationSet, false);
        try {
            exportImported(snapshot, original, path, extra);
        } catch (const c10::Error& e) {
            const std::string what = e.what();
            throw ModelError("cannot write TorchScript model " + path + ": " + what.substr(0, what.find('\n')));
        }
        return;
    }
    const QuantizedSnapshot snapshot(network, bits, settings, calibrationSet);
    torch::jit::Module module("QuantscopeNetwork");
    snapshot.forEachTensor([&](const std::string& name, const torch::Tensor& value) {
        module.register_buffer(attributeName(name), value.clone());
    });
    const ModelSpec& spec = network.spec();
    const std::vector<int64_t> statsShape = {1, spec.channels, 1, 1};
    const bool normalise = !spec.mean.empty();
    module.register_buffer("input_mean",
                           normalise ? torch::tensor(spec.mean).view(statsShape) : torch::zeros(statsShape));
    module.register_buffer("input_std",
                           normalise ? torch::tensor(spec.stddev).view(statsShape) : torch::ones(statsShape));

    const auto quantizeInput = [&](int layer, const std::string& input) -> std::string {
        const int b = snapshot.inputBits(layer);
        if (b == 0)
            return input;
        if (const std::optional<LearnedStaircase> learned = snapshot.inputStaircase(layer)) {
            const std::string prefix = "qs_staircase_" + std::to_string(layer);
            module.register_buffer(prefix + "_thresholds",
                                   torch::tensor(learned->thresholds, torch::kFloat64).to(torch::kFloat32));
            module.register_buffer(prefix + "_levels",
                                   torch::tensor(learned->levels, torch::kFloat64).to(torch::kFloat32));
            return "self.quantize_staircase(" + input + ", " + number(learned->alpha) + ", " + number(learned->beta)
                + ", self." + prefix + "_thresholds, self." + prefix + "_levels)";
        }
        return activationQuantizerCall(settings.quantizer, input, b, snapshot.inputRange(layer));
    };
    const InferenceGraph& graph = snapshot.graph();
    for (const auto& [name, constant] : graph.constants)
        if (!module.hasattr(attributeName(name)))
            module.register_buffer(attributeName(name), torch::tensor(constant.values).view(constant.shape));
    const auto operand = [&](const std::string& name) {
        return module.hasattr(attributeName(name)) ? "self." + attributeName(name) : name;
    };
    std::string source = std::string(kHelpers) + "\ndef forward(self, " + graph.input + ": Tensor) -> Tensor:\n    "
        + graph.input + " = (" + graph.input + " - self.input_mean) / self.input_std\n";
    for (const GraphOp& op : graph.ops)
        source += statement(op, quantizeInput, operand);
    source += "    return " + graph.output + "\n";
    try {
        module.define(source);
        module.eval();
        module.save(path, extra);
    } catch (const c10::Error& e) {
        const std::string what = e.what();
        throw ModelError("cannot write TorchScript model " + path + ": " + what.substr(0, what.find('\n')));
    }
}

} // namespace quantscope
