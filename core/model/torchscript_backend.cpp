#include "model/torchscript_backend.h"

#include "common/error.h"
#include "model/network_backend.h"
#include "model/torchscript_graph.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

namespace quantscope {
namespace {

const char* const kKeyAttribute = "_quantscope_layer_key";

/// Which QuantizableLayers entry a rewritten graph's key stands for. Keys are unique in the
/// process; a backend registers its layers when built and removes them when destroyed.
class LayerRegistry {
public:
    struct Entry {
        QuantizableLayers* layers = nullptr;
        int index = -1;
    };
    static LayerRegistry& instance()
    {
        static LayerRegistry registry;
        return registry;
    }
    int64_t add(QuantizableLayers* layers, int index)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        const int64_t key = ++lastKey_;
        entries_[key] = {layers, index};
        return key;
    }
    void update(int64_t key, int index)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        entries_[key].index = index;
    }
    void remove(int64_t key)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        entries_.erase(key);
    }
    Entry find(int64_t key)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto found = entries_.find(key);
        return found == entries_.end() ? Entry{} : found->second;
    }

private:
    std::mutex mutex_;
    std::unordered_map<int64_t, Entry> entries_;
    int64_t lastKey_ = 0;
};

// The operators the rewritten graphs call. Composite (no kernels of their own): autograd sees the
// straight-through construction inside. A key without a layer (dropped, or the backend gone)
// passes the tensor through.
at::Tensor layerInput(const at::Tensor& x, int64_t key)
{
    const LayerRegistry::Entry e = LayerRegistry::instance().find(key);
    return e.layers && e.index >= 0 ? e.layers->hookInput(e.index, x) : x;
}

at::Tensor layerWeight(const at::Tensor& w, int64_t key)
{
    const LayerRegistry::Entry e = LayerRegistry::instance().find(key);
    return e.layers && e.index >= 0 ? e.layers->hookWeight(e.index, w) : w;
}

at::Tensor layerOutput(const at::Tensor& y, int64_t key)
{
    const LayerRegistry::Entry e = LayerRegistry::instance().find(key);
    return e.layers && e.index >= 0 ? e.layers->hookOutput(e.index, y) : y;
}

TORCH_LIBRARY(quantscope, m)
{
    m.def("layer_input(Tensor x, int key) -> Tensor", &layerInput);
    m.def("layer_weight(Tensor w, int key) -> Tensor", &layerWeight);
    m.def("layer_output(Tensor y, int key) -> Tensor", &layerOutput);
}

/// What a LibTorch or TorchScript error says went wrong: its first line, or for the
/// interpreter's tracebacks the last line (the exception itself, "builtins." dropped).
std::string explain(const std::exception& e)
{
    std::istringstream lines(e.what());
    std::string line, first, last;
    while (std::getline(lines, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        if (first.empty())
            first = line;
        last = line;
    }
    if (first.find("TorchScript interpreter") == std::string::npos)
        return first;
    return last.rfind("builtins.", 0) == 0 ? last.substr(9) : last;
}

std::optional<LayerKind> layerKind(const torch::jit::Module& module)
{
    const std::string type = module.type()->name()->qualifiedName();
    auto endsWith = [&](const std::string& tail) {
        return type.size() >= tail.size() && type.compare(type.size() - tail.size(), tail.size(), tail) == 0;
    };
    if (type.find("torch.nn.modules.conv.") != std::string::npos && endsWith(".Conv2d"))
        return LayerKind::Conv2d;
    if (type.find("torch.nn.modules.linear.") != std::string::npos && endsWith(".Linear"))
        return LayerKind::Linear;
    return std::nullopt;
}

/// Routes a layer's input, weight and output through the quantscope operators. Instances of one
/// class type share its forward graph, so the key comes from an attribute of `self`.
void rewriteForward(const torch::jit::Module& layer)
{
    const std::shared_ptr<torch::jit::Graph> graph = layer.get_method("forward").graph();
    if (graph->inputs().size() != 2 || graph->outputs().size() != 1)
        throw ModelError("layer type " + layer.type()->name()->qualifiedName()
                         + " has an unexpected forward signature");
    torch::jit::Value* self = graph->inputs()[0];
    torch::jit::Value* input = graph->inputs()[1];
    torch::jit::Value* key = nullptr;
    {
        torch::jit::WithInsertPoint start(graph->block()->nodes().front());
        key = graph->insertGetAttr(self, kKeyAttribute);
        torch::jit::Value* quantized =
            graph->insert(c10::Symbol::fromQualString("quantscope::layer_input"), {input, key});
        input->replaceAllUsesAfterNodeWith(quantized->node(), quantized);
    }
    std::vector<torch::jit::Node*> weightReads;
    for (torch::jit::Node* node : graph->nodes())
        if (node->kind() == c10::prim::GetAttr && node->s(c10::attr::name) == "weight" && node->input() == self)
            weightReads.push_back(node);
    if (weightReads.empty())
        throw ModelError("layer type " + layer.type()->name()->qualifiedName()
                         + ": its forward does not read self.weight, so its weights cannot be quantized");
    for (torch::jit::Node* read : weightReads) {
        torch::jit::WithInsertPoint after(read->next());
        torch::jit::Value* quantized =
            graph->insert(c10::Symbol::fromQualString("quantscope::layer_weight"), {read->output(), key});
        read->output()->replaceAllUsesAfterNodeWith(quantized->node(), quantized);
    }
    torch::jit::Value* output = graph->outputs()[0];
    torch::jit::WithInsertPoint end(graph->return_node());
    torch::jit::Value* observed = graph->insert(c10::Symbol::fromQualString("quantscope::layer_output"), {output, key});
    graph->return_node()->replaceInputWith(output, observed);
}

class TorchScriptBackend final : public NetworkBackend {
public:
    TorchScriptBackend(std::string bytes, const std::string& source, ModelSpec& spec) :
        bytes_(std::move(bytes)), source_(source), spec_(spec)
    {
        try {
            std::istringstream in(bytes_);
            module_ = torch::jit::load(in);
        } catch (const c10::Error& e) {
            throw ModelError(source_ + " is not a TorchScript model (save one with torch.jit.save): " + explain(e));
        }
        std::set<std::string> rewrittenTypes;
        for (const auto& item : module_.named_modules()) {
            const std::optional<LayerKind> kind = layerKind(item.value);
            if (!kind)
                continue;
            torch::jit::Module layer = item.value;
            const int index = quantLayers_.add(item.name, *kind, layer);
            const int64_t key = LayerRegistry::instance().add(&quantLayers_, index);
            keys_.push_back(key);
            layer.register_attribute(kKeyAttribute, c10::IntType::get(), key);
            if (rewrittenTypes.insert(layer.type()->name()->qualifiedName()).second)
                rewriteForward(layer);
        }
        if (keys_.empty())
            throw ModelError("model " + source_
                             + " has no conv or linear layers (torch.nn.Conv2d, torch.nn.Linear) to quantize; a frozen "
                               "module (torch.jit.freeze) has them inlined: save it before freezing");
        orderLayersByDataFlow(spec);
    }

    ~TorchScriptBackend() override
    {
        for (int64_t key : keys_)
            LayerRegistry::instance().remove(key);
    }

    at::Tensor forward(const at::Tensor& input) override
    {
        c10::IValue out = module_.forward({input});
        if (out.isTuple())
            out = out.toTupleRef().elements().at(0);
        if (!out.isTensor())
            throw ModelError("model " + source_ + " does not return a tensor of logits");
        return out.toTensor();
    }

    std::vector<at::Tensor> parameters() const override
    {
        std::vector<at::Tensor> out;
        for (const at::Tensor& p : module_.parameters())
            out.push_back(p);
        return out;
    }

    std::vector<std::pair<std::string, at::Tensor>> namedTensors() const override
    {
        std::vector<std::pair<std::string, at::Tensor>> out;
        for (const auto& p : module_.named_parameters())
            out.emplace_back(p.name, p.value);
        for (const auto& b : module_.named_buffers())
            out.emplace_back(b.name, b.value);
        return out;
    }

    void setTraining(bool training) override { module_.train(training); }
    bool isTraining() const override { return module_.is_training(); }
    void to(const std::string& device) override { module_.to(torch::Device(device)); }

    bool originalTorchScript(torch::jit::Module& out) const override
    {
        std::istringstream in(bytes_);
        out = torch::jit::load(in);
        return true;
    }

    /// The user's module (not the rewritten one) with this backend's current values, translated.
    InferenceGraph inferenceGraph() const override
    {
        torch::jit::Module original;
        originalTorchScript(original);
        std::map<std::string, torch::Tensor> values;
        for (const auto& [name, value] : namedTensors())
            values[name] = value.detach().cpu();
        assignNamedTensors(original, values);
        original.eval();
        return torchScriptInferenceGraph(original, quantLayers_.names(), source_);
    }

    std::shared_ptr<NetworkBackend> clone() const override
    {
        ModelSpec spec = spec_;
        auto copy = std::make_shared<TorchScriptBackend>(bytes_, source_, spec);
        torch::NoGradGuard noGrad;
        const auto source = namedTensors();
        const auto target = copy->namedTensors();
        for (size_t i = 0; i < source.size() && i < target.size(); ++i)
            target[i].second.copy_(source[i].second);
        copy->setTraining(isTraining());
        copy->quantLayers().setActivationRanges(quantLayers().activationRanges());
        return copy;
    }

private:
    /// Runs one image through the network: the layers it reaches, in that order, are the
    /// quantizable ones; the output size gives the classes. Reports what a user must fix.
    void orderLayersByDataFlow(ModelSpec& spec)
    {
        torch::NoGradGuard noGrad;
        const bool wasTraining = module_.is_training();
        module_.eval();
        torch::Tensor logits;
        try {
            logits = forward(torch::zeros({1, spec.channels, spec.height, spec.width}));
        } catch (const Error&) {
            throw;
        } catch (const std::exception& e) { // c10::Error, or the interpreter's torch::jit::JITException
            const torch::Tensor firstWeight = quantLayers_.weight(0);
            if (firstWeight.dim() == 4 && spec.channels % firstWeight.size(1) != 0)
                throw ModelError("model " + source_ + " expects " + std::to_string(firstWeight.size(1))
                                 + "-channel input (its first layer '" + quantLayers_.names()[0]
                                 + "') but the data has " + spec.inputShapeText() + " images");
            throw ModelError("model " + source_ + " fails on a " + spec.inputShapeText() + " input: " + explain(e));
        }
        module_.train(wasTraining);
        if (logits.dim() != 2)
            throw ModelError("model " + source_ + " returns a tensor of shape " + c10::str(logits.sizes())
                             + ", not N x classes logits");
        spec.classes = int(logits.size(1));
        const std::vector<int> newIndex = quantLayers_.reorderByFirstUse();
        if (quantLayers_.size() == 0)
            throw ModelError("model " + source_ + " has conv or linear layers but its forward pass uses none of them");
        std::vector<int64_t> kept;
        for (size_t old = 0; old < newIndex.size(); ++old) {
            if (newIndex[old] < 0) {
                LayerRegistry::instance().remove(keys_[old]);
                continue;
            }
            LayerRegistry::instance().update(keys_[old], newIndex[old]);
            kept.push_back(keys_[old]);
        }
        keys_ = kept;
        spec_ = spec;
    }

    std::string bytes_;
    std::string source_;
    ModelSpec spec_;
    torch::jit::Module module_;
    std::vector<int64_t> keys_;
};

} // namespace

std::shared_ptr<NetworkBackend> importTorchScript(const std::string& path, ModelSpec& spec)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ModelError("model file not found: " + path);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    spec.architecture = "torchscript";
    return std::make_shared<TorchScriptBackend>(bytes.str(), path, spec);
}

} // namespace quantscope
