#include "export/torchscript_export.h"

#include "common/error.h"
#include "model/network_backend.h"

#include <torch/script.h>
#include <torch/torch.h>

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

/// TorchScript versions of the activation quantizers, matching DsconvQuantizer and
/// UniformQuantizer operation for operation.
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
)";

} // namespace

void exportTorchScript(const Network& network, const BitConfig& bits, const QuantSettings& settings,
                       const ImageSet& calibrationSet, const std::string& path)
{
    Network quantized = network.clone();
    applyQuantization(quantized, bits, settings, calibrationSet);
    NetworkBackend& backend = quantized.backend();
    QuantizableLayers& layers = backend.quantLayers();
    const std::vector<ActivationRange> ranges = layers.activationRanges();
    const std::unique_ptr<Quantizer> quantizer = makeQuantizer(settings.quantizer);

    torch::NoGradGuard noGrad;
    torch::jit::Module module("QuantscopeNetwork");
    // Parameters and buffers, with the quantizable layers' weights replaced by their quantized values.
    std::map<std::string, torch::Tensor> baked;
    for (size_t i = 0; i < layers.size(); ++i)
        if (bits[i].weight > 0)
            baked[layers.names()[i] + ".weight"] = quantizer->quantizeWeight(layers.weight(int(i)).detach(), bits[i].weight);
    for (const auto& item : backend.module().named_parameters()) {
        const auto found = baked.find(item.key());
        module.register_buffer(attributeName(item.key()),
                               (found != baked.end() ? found->second : item.value().detach()).cpu().clone());
    }
    for (const auto& item : backend.module().named_buffers())
        module.register_buffer(attributeName(item.key()), item.value().detach().cpu().clone());

    const ModelSpec& spec = network.spec();
    const std::vector<int64_t> statsShape = {1, spec.channels, 1, 1};
    const bool normalise = !spec.mean.empty();
    module.register_buffer("input_mean", normalise ? torch::tensor(spec.mean).view(statsShape) : torch::zeros(statsShape));
    module.register_buffer("input_std", normalise ? torch::tensor(spec.stddev).view(statsShape) : torch::ones(statsShape));

    const std::vector<LayerInfo> inventory = quantized.layers();
    const auto quantizeInput = [&](int layer, const std::string& input) -> std::string {
        const int b = bits[size_t(layer)].activation;
        if (b == 0 || (inventory[size_t(layer)].takesImage && !settings.policy.quantizeImageInput))
            return input;
        if (settings.quantizer == QuantizerKind::DSConv)
            return "self.quantize_bfp(" + input + ", " + std::to_string(b) + ")";
        const ActivationRange& r = ranges[size_t(layer)];
        const double hi = r.nonNegative ? std::ldexp(1.0, b) - 1 : std::max(1.0, std::ldexp(1.0, b - 1) - 1);
        const double lo = r.nonNegative ? 0.0 : -hi;
        return "self.quantize_uniform(" + input + ", " + number(double(r.maxAbs) / hi) + ", " + number(lo) + ", "
            + number(hi) + ")";
    };
    const std::string source = std::string(kHelpers) + "\ndef forward(self, x: Tensor) -> Tensor:\n"
        + "    x = (x - self.input_mean) / self.input_std\n" + backend.torchScriptForward(quantizeInput);
    try {
        module.define(source);
        module.eval();
        module.save(path);
    } catch (const c10::Error& e) {
        const std::string what = e.what();
        throw ModelError("cannot write TorchScript model " + path + ": " + what.substr(0, what.find('\n')));
    }
}

} // namespace quantscope
