#include "bitserial/bitserial_network.h"

#include "bitserial/bitserial_conv.h"
#include "bitserial/max_pool.h"
#include "common/error.h"
#include "export/quantized_snapshot.h"
#include "model/network_backend.h"
#include "model/quantizable_layers.h"
#include "quant/uniform_quantizer.h"

#include <torch/torch.h>

#include <chrono>
#include <map>
#include <optional>

namespace quantscope::bitserial {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// A layer on the bit-serial kernels: its integer weights (packed for the input size last seen),
/// the input's grid (quantized inside the kernels), and the epilogue from integer sums to the
/// layer's output, with the batch norm and ReLU that follow it folded in where nothing else reads
/// their inputs.
struct IntegerLayer {
    std::vector<int32_t> weights; ///< OIHW (linear: O x I x 1 x 1)
    ConvGeometry geometry;        ///< height and width: of the input last packed for
    int weightBits = 0;
    Encoding weightEncoding = Encoding::TwosComplement;
    std::optional<PackedConvWeights> packed;
    QuantizedInput grid;
    int activationBits = 0; ///< as executed: a signed 1-bit grid {-1, 0, 1} needs 2
    Encoding activationEncoding = Encoding::Unsigned;
    torch::Tensor scale; ///< per output channel: input scale x weight scale (x the batch norm's factor)
    torch::Tensor shift; ///< per output channel: the bias (through the batch norm)
    bool relu = false;
    std::string output; ///< the value it produces: its own, or that of the last operation folded in
};

/// The reason `op` cannot run bit-serially, or empty.
std::string fallbackReason(const GraphOp& op, const ExecutedLayer& layer, const ActivationRange& range)
{
    if (layer.weightBits == 0)
        return "float weight";
    if (layer.activationBits == 0)
        return "float input";
    if (!range.valid())
        return "no calibrated input range";
    if (op.kind == GraphOp::Kind::Conv && op.dilation != 1)
        return "dilated convolution";
    return {};
}

/// A conv or linear operation's geometry without its input size (a linear one: a 1x1 convolution).
ConvGeometry layerGeometry(const GraphOp& op, at::IntArrayRef weightShape)
{
    ConvGeometry g;
    g.outChannels = int(weightShape[0]);
    if (op.kind == GraphOp::Kind::Conv) {
        g.groups = op.groups;
        g.channels = int(weightShape[1]) * op.groups;
        g.kernelHeight = int(weightShape[2]);
        g.kernelWidth = int(weightShape[3]);
        g.strideY = g.strideX = op.stride;
        g.padY = g.padX = op.padding;
    } else {
        g.channels = int(weightShape[1]);
    }
    return g;
}

IntegerLayer integerLayer(const GraphOp& op, const at::Tensor& floatWeight, const ExecutedLayer& layer,
                          const ActivationRange& range)
{
    IntegerLayer out;
    torch::Tensor integers, scales;
    uniformIntegerWeight(floatWeight.detach().cpu().to(torch::kFloat), layer.weightBits, integers, scales);
    const torch::Tensor flat = integers.to(torch::kInt32).contiguous();
    out.weights.assign(flat.data_ptr<int32_t>(), flat.data_ptr<int32_t>() + flat.numel());
    out.weightBits = layer.weightBits;
    out.weightEncoding = uniformWeightEncoding(layer.weightBits);
    out.geometry = layer.geometry;
    const InputCoding coding = uniformInputCoding(layer.activationBits, range);
    out.grid = coding.grid;
    out.activationEncoding = coding.encoding;
    out.activationBits = coding.bits;
    out.scale = scales.to(torch::kFloat).mul(coding.grid.scale);
    out.shift = torch::zeros_like(out.scale);
    out.output = op.output;
    return out;
}

} // namespace

Encoding uniformWeightEncoding(int bits)
{
    return bits == 1 ? Encoding::OffsetBinary : Encoding::TwosComplement;
}

InputCoding uniformInputCoding(int bits, const ActivationRange& range)
{
    const UniformGrid grid = uniformActivationGrid(bits, range);
    InputCoding coding;
    coding.grid.scale = float(grid.scale);
    coding.grid.lowest = float(grid.lo);
    coding.grid.highest = float(grid.hi);
    coding.encoding = range.nonNegative ? Encoding::Unsigned : Encoding::TwosComplement;
    coding.bits = range.nonNegative ? bits : std::max(2, bits);
    return coding;
}

void onLibTorchThreads(int count, const std::function<void(int, int)>& body)
{
    at::parallel_for(0, count, 1, [&body](int64_t begin, int64_t end) { body(int(begin), int(end)); });
}

struct BitSerialNetwork::Impl {
    KernelPath path = KernelPath::Portable;
    InferenceGraph graph;
    std::map<std::string, torch::Tensor> tensors; ///< parameters (quantized weights baked in), buffers, constants
    std::vector<ExecutedLayer> layers;
    std::vector<ActivationRange> ranges;
    std::map<int, IntegerLayer> integerLayers; ///< by layer index
    std::vector<bool> folded;                  ///< per graph operation: folded into an integer layer
    /// Per graph operation: the values no later operation reads, released after it (their memory
    /// goes back to the allocator while it is warm).
    std::vector<std::vector<std::string>> lastReaders;
    double otherSeconds = 0;

    const torch::Tensor& tensor(const std::string& name) const
    {
        const auto found = tensors.find(name);
        if (found == tensors.end())
            throw ConfigError("bit-serial engine: the network has no tensor " + name);
        return found->second;
    }

    /// Folds the batch norm and ReLU after operation `index` into `layer` where `readers` (per
    /// value, the operations reading it, the network's output counting as one) says nothing
    /// else reads their inputs.
    void foldFollowers(size_t index, IntegerLayer& layer, const std::map<std::string, int>& readers);
    void findLastReaders();
    /// Per graph operation: the output buffer of its last pass, reused when nothing else holds it
    /// (fresh large buffers cost a page fault per 4 KiB, more than a small layer's arithmetic).
    std::vector<torch::Tensor> buffers;
    torch::Tensor buffer(const GraphOp& op, at::IntArrayRef sizes);

    torch::Tensor runLayer(const GraphOp& op, const torch::Tensor& x);
    torch::Tensor runInteger(const GraphOp& op, IntegerLayer& layer, const torch::Tensor& x);
    /// `firstInputFree`: nothing reads in[0] after this operation (and it is neither the caller's
    /// input nor a parameter), so ReLU, clipping and additions may overwrite it instead of
    /// allocating: fresh tensors cost a page fault per 4 KiB.
    torch::Tensor run(const GraphOp& op, const std::vector<torch::Tensor>& in, bool firstInputFree = false);
};

BitSerialNetwork::BitSerialNetwork(const QuantizedSnapshot& snapshot, KernelPath path) : impl_(std::make_unique<Impl>())
{
    Impl& d = *impl_;
    if (snapshot.settings().quantizer != QuantizerKind::Uniform)
        throw ConfigError("the bit-serial engine executes the uniform quantizer's integers; "
                          + quantizerName(snapshot.settings().quantizer)
                          + " has no integer form (quantize with uniform)");
    d.graph = snapshot.graph();
    if (d.graph.ops.empty())
        throw ConfigError("the bit-serial engine needs the network's inference graph, and this network has none");
    popcountTileKernel(path); // ConfigError now when the CPU cannot run it
    d.path = path;
    snapshot.forEachTensor([&d](const std::string& name, const at::Tensor& value) { d.tensors[name] = value; });
    for (const auto& [name, constant] : d.graph.constants)
        if (!d.tensors.count(name))
            d.tensors[name] = torch::tensor(constant.values).reshape(constant.shape);

    const std::vector<LayerInfo>& infos = snapshot.network().layers();
    QuantizableLayers& quantLayers = snapshot.network().backend().quantLayers();
    d.layers.resize(infos.size());
    for (size_t i = 0; i < infos.size(); ++i) {
        d.layers[i].name = infos[i].name;
        d.layers[i].weightBits = snapshot.weightBits(int(i));
        d.layers[i].activationBits = snapshot.inputBits(int(i));
        d.ranges.push_back(snapshot.inputRange(int(i)));
    }
    d.folded.assign(d.graph.ops.size(), false);
    std::map<std::string, int> readers;
    for (const GraphOp& op : d.graph.ops)
        for (const std::string& input : op.inputs)
            ++readers[input];
    ++readers[d.graph.output];
    for (size_t index = 0; index < d.graph.ops.size(); ++index) {
        const GraphOp& op = d.graph.ops[index];
        if (op.kind != GraphOp::Kind::Conv && op.kind != GraphOp::Kind::Linear)
            continue;
        ExecutedLayer& layer = d.layers.at(size_t(op.layer));
        layer.linear = op.kind == GraphOp::Kind::Linear;
        layer.signedInput = !d.ranges[size_t(op.layer)].nonNegative;
        layer.geometry = layerGeometry(op, d.tensor(op.module + ".weight").sizes());
        layer.fallback = fallbackReason(op, layer, d.ranges[size_t(op.layer)]);
        layer.bitSerial = layer.fallback.empty();
        if (!layer.bitSerial)
            continue;
        IntegerLayer integer = integerLayer(op, quantLayers.weight(op.layer), layer, d.ranges[size_t(op.layer)]);
        if (op.hasBias)
            integer.shift = d.tensor(op.module + ".bias").to(torch::kFloat).clone();
        d.foldFollowers(index, integer, readers);
        d.integerLayers.emplace(op.layer, std::move(integer));
    }
    d.findLastReaders();
    d.buffers.resize(d.graph.ops.size());
}

void BitSerialNetwork::Impl::foldFollowers(size_t index, IntegerLayer& layer, const std::map<std::string, int>& readers)
{
    const auto readsOnly = [&](size_t next, GraphOp::Kind kind) {
        return next < graph.ops.size() && graph.ops[next].kind == kind && graph.ops[next].inputs.size() == 1
            && graph.ops[next].inputs[0] == layer.output && readers.count(layer.output)
            && readers.at(layer.output) == 1;
    };
    size_t next = index + 1;
    if (readsOnly(next, GraphOp::Kind::BatchNorm)) { // y = (x - mean) / sqrt(var + eps) * gamma + beta
        const GraphOp& bn = graph.ops[next];
        const torch::Tensor factor = tensor(bn.module + ".weight").to(torch::kDouble)
            / (tensor(bn.module + ".running_var").to(torch::kDouble) + bn.eps).sqrt();
        layer.scale = (layer.scale.to(torch::kDouble) * factor).to(torch::kFloat);
        layer.shift =
            ((layer.shift.to(torch::kDouble) - tensor(bn.module + ".running_mean").to(torch::kDouble)) * factor
             + tensor(bn.module + ".bias").to(torch::kDouble))
                .to(torch::kFloat);
        layer.output = bn.output;
        folded[next++] = true;
    }
    if (readsOnly(next, GraphOp::Kind::Relu)) {
        layer.relu = true;
        layer.output = graph.ops[next].output;
        folded[next] = true;
    }
    layer.scale = layer.scale.contiguous();
    layer.shift = layer.shift.contiguous();
}

BitSerialNetwork::~BitSerialNetwork() = default;

void BitSerialNetwork::Impl::findLastReaders()
{
    std::map<std::string, size_t> last;
    for (size_t index = 0; index < graph.ops.size(); ++index)
        for (const std::string& input : graph.ops[index].inputs)
            last[input] = index;
    lastReaders.assign(graph.ops.size(), {});
    for (const auto& [name, index] : last)
        if (name != graph.output)
            lastReaders[index].push_back(name);
}

torch::Tensor BitSerialNetwork::Impl::buffer(const GraphOp& op, at::IntArrayRef sizes)
{
    torch::Tensor& kept = buffers.at(size_t(&op - graph.ops.data()));
    if (!kept.defined() || kept.sizes() != sizes || kept.use_count() > 1)
        kept = torch::empty(sizes, torch::kFloat);
    return kept;
}

torch::Tensor BitSerialNetwork::Impl::runInteger(const GraphOp& op, IntegerLayer& layer, const torch::Tensor& x)
{
    const bool linear = op.kind == GraphOp::Kind::Linear;
    // Linear: N x C as a 1 x N image of C channels, a 1x1 convolution whose pixels fill the tiles.
    const torch::Tensor input =
        (linear ? x.t().reshape({1, x.size(1), 1, x.size(0)}) : x).to(torch::kFloat).contiguous();
    ConvGeometry& g = layer.geometry;
    if (!layer.packed || g.height != int(input.size(2)) || g.width != int(input.size(3))) {
        g.height = int(input.size(2));
        g.width = int(input.size(3));
        layer.packed = packConvWeights(layer.weights.data(), g, layer.weightBits, layer.weightEncoding);
    }
    layer.packed->geometry.batch = int(input.size(0));
    const ConvGeometry& run = layer.packed->geometry;
    torch::Tensor out = buffer(op, {run.batch, run.outChannels, run.outHeight(), run.outWidth()});
    ConvInput in;
    in.values = input.data_ptr<float>();
    in.grid = layer.grid;
    ConvOutput result;
    result.values = out.data_ptr<float>();
    result.scale = layer.scale.data_ptr<float>();
    result.shift = layer.shift.data_ptr<float>();
    result.relu = layer.relu;
    bitSerialConv2d(in, *layer.packed, layer.activationBits, layer.activationEncoding, path, result, 1,
                    onLibTorchThreads);
    return linear ? out.view({run.outChannels, run.width}).t().contiguous() : out;
}

torch::Tensor BitSerialNetwork::Impl::runLayer(const GraphOp& op, const torch::Tensor& x)
{
    const auto start = Clock::now();
    ExecutedLayer& layer = layers.at(size_t(op.layer));
    ConvGeometry& g = layer.geometry; // as run: a linear layer's batch is a 1 x N image
    g.batch = layer.linear ? 1 : int(x.size(0));
    g.height = layer.linear ? 1 : int(x.size(2));
    g.width = layer.linear ? int(x.size(0)) : int(x.size(3));
    torch::Tensor out;
    const auto integer = integerLayers.find(op.layer);
    if (integer != integerLayers.end()) {
        out = runInteger(op, integer->second, x);
    } else { // as the simulation computes it
        const torch::Tensor input = layer.activationBits > 0
            ? UniformQuantizer().quantizeActivation(x, layer.activationBits, ranges[size_t(op.layer)])
            : x;
        const torch::Tensor& weight = tensor(op.module + ".weight");
        const torch::Tensor bias = op.hasBias ? tensor(op.module + ".bias") : torch::Tensor();
        out = op.kind == GraphOp::Kind::Conv
            ? torch::conv2d(input, weight, bias, op.stride, op.padding, op.dilation, op.groups)
            : torch::linear(input, weight, bias);
    }
    layer.seconds += secondsSince(start);
    return out;
}

torch::Tensor BitSerialNetwork::Impl::run(const GraphOp& op, const std::vector<torch::Tensor>& in, bool firstInputFree)
{
    const torch::Tensor& x = in.front();
    using Kind = GraphOp::Kind;
    switch (op.kind) {
    case Kind::Conv:
    case Kind::Linear: return runLayer(op, x);
    case Kind::BatchNorm:
        return torch::batch_norm(x, tensor(op.module + ".weight"), tensor(op.module + ".bias"),
                                 tensor(op.module + ".running_mean"), tensor(op.module + ".running_var"), false, 0.0,
                                 op.eps, false);
    case Kind::Relu: return firstInputFree ? torch::Tensor(x).relu_() : torch::relu(x);
    case Kind::MaxPool: {
        if (op.dilation != 1 || op.ceilMode || x.dim() != 4 || 2 * op.padding > op.kernel)
            return torch::max_pool2d(x, op.kernel, op.stride, op.padding, op.dilation, op.ceilMode);
        const PoolWindow window{op.kernel, op.stride, op.padding};
        const torch::Tensor input = x.to(torch::kFloat).contiguous();
        const int height = int(input.size(2)), width = int(input.size(3));
        torch::Tensor out = buffer(op, {input.size(0), input.size(1), window.outSize(height), window.outSize(width)});
        at::parallel_for(0, input.size(0) * input.size(1), 1, [&](int64_t begin, int64_t end) {
            maxPool2d(input.data_ptr<float>(), height, width, window, out.data_ptr<float>(), size_t(begin),
                      size_t(end));
        });
        return out;
    }
    case Kind::AveragePool:
        return torch::avg_pool2d(x, op.kernel, op.stride, op.padding, op.ceilMode, op.countIncludePad);
    case Kind::Add:
        if (firstInputFree && in.at(0).sizes() == in.at(1).sizes() && in.at(0).dtype() == in.at(1).dtype())
            return torch::Tensor(in.at(0)).add_(in.at(1));
        return in.at(0) + in.at(1);
    case Kind::Sub: return in.at(0) - in.at(1);
    case Kind::Mul: return in.at(0) * in.at(1);
    case Kind::Div: return in.at(0) / in.at(1);
    case Kind::Concat: return torch::cat(in, op.axis);
    case Kind::GlobalAveragePool: {
        const torch::Tensor pooled = torch::adaptive_avg_pool2d(x, {1, 1});
        return op.keepSpatial ? pooled : pooled.flatten(1);
    }
    case Kind::Clip: {
        const auto bound = [](double v) {
            return std::isfinite(v) ? c10::optional<at::Scalar>(v) : c10::optional<at::Scalar>();
        };
        return torch::clamp(x, bound(op.lo), bound(op.hi));
    }
    case Kind::LeakyRelu: return torch::leaky_relu(x, op.alpha);
    case Kind::Sigmoid: return torch::sigmoid(x);
    case Kind::Tanh: return torch::tanh(x);
    case Kind::Softmax: return torch::softmax(x, op.axis);
    case Kind::LogSoftmax: return torch::log_softmax(x, op.axis);
    case Kind::Reshape: {
        std::vector<int64_t> shape = op.shape;
        for (size_t i = 0; i < shape.size(); ++i)
            if (shape[i] == 0) // the input's size there, as ONNX's Reshape reads it
                shape[i] = x.size(int64_t(i));
        return x.reshape(shape);
    }
    }
    throw ConfigError("bit-serial engine: unknown graph operation");
}

at::Tensor BitSerialNetwork::forward(const at::Tensor& images)
{
    torch::NoGradGuard noGrad;
    Impl& d = *impl_;
    std::map<std::string, torch::Tensor> values{{d.graph.input, images.to(torch::kFloat).contiguous()}};
    const auto value = [&](const std::string& name) -> const torch::Tensor& {
        const auto found = values.find(name);
        return found != values.end() ? found->second : d.tensor(name);
    };
    const auto start = Clock::now();
    double layerSeconds = 0;
    for (size_t index = 0; index < d.graph.ops.size(); ++index) {
        if (d.folded[index])
            continue;
        const GraphOp& op = d.graph.ops[index];
        std::vector<torch::Tensor> in;
        for (const std::string& name : op.inputs)
            in.push_back(value(name));
        const std::vector<std::string>& released = d.lastReaders[index];
        const std::string& first = op.inputs.empty() ? d.graph.input : op.inputs.front();
        const bool firstInputFree = first != d.graph.input && values.count(first)
            && std::count(op.inputs.begin(), op.inputs.end(), first) == 1
            && std::find(released.begin(), released.end(), first) != released.end()
            && in.front().storage().use_count() == 1; // no view of it (a reshape) lives on
        const bool quantizable = op.kind == GraphOp::Kind::Conv || op.kind == GraphOp::Kind::Linear;
        const double before = quantizable ? d.layers.at(size_t(op.layer)).seconds : 0;
        const auto integer = quantizable ? d.integerLayers.find(op.layer) : d.integerLayers.end();
        values[integer != d.integerLayers.end() ? integer->second.output : op.output] = d.run(op, in, firstInputFree);
        if (quantizable)
            layerSeconds += d.layers[size_t(op.layer)].seconds - before;
        for (const std::string& name : released)
            values.erase(name);
    }
    d.otherSeconds += secondsSince(start) - layerSeconds;
    return value(d.graph.output);
}

const std::vector<ExecutedLayer>& BitSerialNetwork::layers() const
{
    return impl_->layers;
}

double BitSerialNetwork::otherSeconds() const
{
    return impl_->otherSeconds;
}

void BitSerialNetwork::resetTimes()
{
    for (ExecutedLayer& layer : impl_->layers)
        layer.seconds = 0;
    impl_->otherSeconds = 0;
}

} // namespace quantscope::bitserial
