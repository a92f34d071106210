#include "model/torchscript_graph.h"

#include "common/error.h"

#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace quantscope {
namespace {

using torch::jit::Node;
using torch::jit::Value;

const char* const kSupported =
    "conv2d, linear, batch_norm, relu, relu6, hardtanh, clamp, leaky_relu, sigmoid, tanh, max_pool2d, avg_pool2d, "
    "adaptive_avg_pool2d to 1x1, mean over H and W, add, sub, mul, div, cat, flatten, view, reshape, softmax, "
    "log_softmax, dropout (an identity in eval mode), contiguous, detach, clone";

/// "file:line" of the Python source a node comes from (kept in the model file's debug records),
/// else of the TorchScript code the model file holds; empty when neither is known.
std::string sourceLine(const Node* node)
{
    const auto original = node->sourceRange().findSourceRangeThatGenerated();
    const auto location = (original ? *original : node->sourceRange()).file_line_col();
    if (!location)
        return {};
    const std::string where = std::get<0>(*location) + ":" + std::to_string(std::get<1>(*location));
    return original ? where : where + " of the model file";
}

GraphConstant toConstant(const torch::Tensor& tensor)
{
    const torch::Tensor t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    GraphConstant constant;
    constant.shape.assign(t.sizes().begin(), t.sizes().end());
    constant.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    return constant;
}

/// The operator's name without the in-place mark: "aten::relu" for relu and relu_.
std::string baseKind(const Node* node)
{
    const std::string kind = node->kind().toQualString();
    const bool inPlace = kind.back() == '_' && kind.compare(kind.size() - 2, 2, "__") != 0;
    return inPlace ? kind.substr(0, kind.size() - 1) : kind;
}

bool hasTensorOutput(const Node* node)
{
    for (const Value* out : node->outputs())
        if (out->type()->kind() == c10::TypeKind::TensorType)
            return true;
    return false;
}

bool hasUses(const Node* node)
{
    for (const Value* out : node->outputs())
        if (out->hasUses())
            return true;
    return false;
}

/// `assert` statements compile to an output-less If whose branches do nothing or raise.
bool isAssertion(const Node* node)
{
    if (node->kind() != c10::prim::If || !node->outputs().empty())
        return false;
    for (const torch::jit::Block* block : node->blocks())
        for (const Node* inner : block->nodes())
            if (inner->kind() != c10::prim::RaiseException)
                return false;
    return true;
}

class Translator {
public:
    Translator(const torch::jit::Module& frozen, const std::vector<std::string>& layerNames, std::string source) :
        self_(frozen._ivalue()), source_(std::move(source))
    {
        for (size_t i = 0; i < layerNames.size(); ++i)
            layerIndex_[layerNames[i]] = int(i);
    }

    InferenceGraph run(const torch::jit::Graph& graph)
    {
        if (graph.inputs().size() != 2)
            throw ConfigError(source_ + ": forward must take one tensor to be written operator by operator");
        selfValue_ = graph.inputs()[0];
        tensors_[graph.inputs()[1]] = graph_.input;
        for (const Node* node : graph.nodes())
            translate(node);
        const Value* output = graph.outputs()[0];
        const auto items = lists_.find(output); // a tuple: the logits come first, as in forward()
        if (items != lists_.end() && !items->second.empty())
            output = items->second.front();
        graph_.output = tensor(output, graph.return_node());
        return std::move(graph_);
    }

private:
    [[noreturn]] void refuse(const Node* node, const std::string& why) const
    {
        const std::string line = sourceLine(node);
        throw ConfigError("cannot translate " + source_ + " operator by operator for export: "
                          + node->kind().toQualString() + (line.empty() ? "" : " at " + line) + ": " + why);
    }

    [[noreturn]] void unsupported(const Node* node) const
    {
        refuse(node, std::string("not in the supported set (") + kSupported + ")");
    }

    void translate(const Node* node)
    {
        const std::string kind = node->kind().toQualString();
        if (kind == "prim::Constant") {
            known_[node->output()] = *torch::jit::toIValue(node->output());
        } else if (kind == "prim::GetAttr") {
            attribute(node);
        } else if (kind == "prim::ListConstruct" || kind == "prim::TupleConstruct") {
            lists_[node->output()] = {node->inputs().begin(), node->inputs().end()};
        } else if (kind == "aten::size" && node->inputs().size() == 2) {
            const c10::IValue* dim = constant(node->input(1));
            if (dim && dim->isInt() && dim->toInt() == 0)
                batch_.insert(node->output());
            else
                opaque_[node->output()] = node;
        } else if (kind == "prim::NumToTensor" || kind == "aten::Int" || kind == "aten::ScalarImplicit") {
            forward(node);
        } else if (isAssertion(node) || kind == "prim::RaiseException" || kind == "prim::Print"
                   || kind == "aten::warn") {
            // checks and messages: no part of the computation
        } else {
            operation(node, kind);
        }
    }

    void attribute(const Node* node)
    {
        const Value* parent = node->input();
        const std::string name = node->s(c10::attr::name);
        const c10::IValue owner = parent == selfValue_ ? c10::IValue(self_) : attributes_.at(parent);
        if (!owner.isObject())
            refuse(node, "attribute " + name + " of a value that is not a module");
        attributes_[node->output()] = owner.toObjectRef().getAttr(name);
        paths_[node->output()] = parent == selfValue_ ? name : paths_.at(parent) + "." + name;
    }

    /// Scalars that pass through conversions (x.size(0) -> tensor -> int).
    void forward(const Node* node)
    {
        const Value* in = node->input(0);
        if (batch_.count(in))
            batch_.insert(node->output());
        else if (known_.count(in))
            known_[node->output()] = known_.at(in);
        else
            opaque_[node->output()] = node;
    }

    void operation(const Node* node, const std::string& kind)
    {
        const std::string base = baseKind(node);
        const bool inPlace = base != kind;
        const auto handler = handlers().find(base);
        if (!hasTensorOutput(node) || handler == handlers().end()) {
            if (inPlace || (hasTensorOutput(node) && hasUses(node)))
                unsupported(node);
            for (const Value* out : node->outputs())
                opaque_[out] = node; // refused when something needs it
            return;
        }
        const std::string result = (this->*handler->second)(node);
        tensors_[node->output()] = result;
        if (inPlace)
            tensors_[node->input(0)] = result; // later reads of the mutated tensor see the result
    }

    using Handler = std::string (Translator::*)(const Node*);
    static const std::unordered_map<std::string, Handler>& handlers()
    {
        static const std::unordered_map<std::string, Handler> table = {
            {"aten::conv2d", &Translator::conv},
            {"aten::_convolution", &Translator::conv},
            {"aten::convolution", &Translator::conv},
            {"aten::linear", &Translator::linear},
            {"aten::batch_norm", &Translator::batchNorm},
            {"aten::relu", &Translator::unary},
            {"aten::relu6", &Translator::clip},
            {"aten::hardtanh", &Translator::clip},
            {"aten::clamp", &Translator::clip},
            {"aten::leaky_relu", &Translator::leakyRelu},
            {"aten::sigmoid", &Translator::unary},
            {"aten::tanh", &Translator::unary},
            {"aten::max_pool2d", &Translator::pool},
            {"aten::avg_pool2d", &Translator::pool},
            {"aten::adaptive_avg_pool2d", &Translator::adaptivePool},
            {"aten::mean", &Translator::mean},
            {"aten::add", &Translator::elementwise},
            {"aten::sub", &Translator::elementwise},
            {"aten::mul", &Translator::elementwise},
            {"aten::div", &Translator::elementwise},
            {"aten::cat", &Translator::concat},
            {"aten::flatten", &Translator::reshape},
            {"aten::view", &Translator::reshape},
            {"aten::reshape", &Translator::reshape},
            {"aten::softmax", &Translator::softmax},
            {"aten::log_softmax", &Translator::softmax},
            {"aten::dropout", &Translator::dropout},
            {"aten::feature_dropout", &Translator::dropout},
            {"aten::alpha_dropout", &Translator::dropout},
            {"aten::feature_alpha_dropout", &Translator::dropout},
            {"aten::contiguous", &Translator::identity},
            {"aten::detach", &Translator::identity},
            {"aten::clone", &Translator::identity},
        };
        return table;
    }

    // ---- arguments ----

    const c10::IValue* constant(const Value* v) const
    {
        const auto found = known_.find(v);
        if (found != known_.end())
            return &found->second;
        const auto attr = attributes_.find(v);
        return attr != attributes_.end() && !attr->second.isObject() ? &attr->second : nullptr;
    }

    bool isNone(const Value* v) const
    {
        const c10::IValue* c = constant(v);
        return c && c->isNone();
    }

    double number(const Node* node, const Value* v) const
    {
        const c10::IValue* c = constant(v);
        if (!c || !(c->isDouble() || c->isInt() || c->isBool()))
            refuse(node, "an argument that is not a constant number");
        return c->isDouble() ? c->toDouble() : c->isInt() ? double(c->toInt()) : double(c->toBool());
    }

    int64_t integer(const Node* node, const Value* v) const
    {
        const c10::IValue* c = constant(v);
        if (!c || !c->isInt())
            refuse(node, "an argument that is not a constant integer");
        return c->toInt();
    }

    bool boolean(const Node* node, const Value* v) const
    {
        const c10::IValue* c = constant(v);
        if (!c || !(c->isBool() || c->isInt()))
            refuse(node, "an argument that is not a constant boolean");
        return c->isBool() ? c->toBool() : c->toInt() != 0;
    }

    std::vector<int64_t> integers(const Node* node, const Value* v) const
    {
        if (const c10::IValue* c = constant(v)) {
            if (c->isIntList())
                return c->toIntVector();
            if (c->isInt())
                return {c->toInt()};
        }
        const auto items = lists_.find(v);
        if (items == lists_.end())
            refuse(node, "a size or list argument that is not constant");
        std::vector<int64_t> out;
        for (const Value* item : items->second)
            out.push_back(integer(node, item));
        return out;
    }

    /// A square window, stride, padding or dilation.
    int square(const Node* node, const Value* v, const std::string& what) const
    {
        const std::vector<int64_t> values = integers(node, v);
        if (values.empty() || values.size() > 2 || (values.size() == 2 && values[0] != values[1]))
            refuse(node, what + " " + c10::str(values) + ": only square ones (equal height and width) are supported");
        return int(values[0]);
    }

    /// A tensor operand: a translated value, a parameter, buffer or tensor attribute (by its qualified
    /// name), or a constant.
    std::string tensor(const Value* v, const Node* user)
    {
        if (const auto found = tensors_.find(v); found != tensors_.end())
            return found->second;
        if (const auto from = opaque_.find(v); from != opaque_.end())
            unsupported(from->second);
        if (const auto attr = attributes_.find(v); attr != attributes_.end() && attr->second.isTensor()) {
            const std::string& name = paths_.at(v);
            graph_.constants.emplace(name, toConstant(attr->second.toTensor()));
            return tensors_[v] = name;
        }
        if (const c10::IValue* c = constant(v); c && (c->isTensor() || c->isDouble() || c->isInt())) {
            const std::string name = "constant" + std::to_string(graph_.constants.size() + 1);
            graph_.constants[name] = toConstant(c->isTensor() ? c->toTensor() : torch::tensor(number(user, v)));
            return tensors_[v] = name;
        }
        refuse(user, "an input that is not a tensor of the network's computation");
    }

    std::string append(GraphOp op, const Node* node)
    {
        if (op.inputs.empty())
            op.inputs = {tensor(node->input(0), node)};
        op.output = "t" + std::to_string(graph_.ops.size() + 1);
        graph_.ops.push_back(std::move(op));
        return graph_.ops.back().output;
    }

    /// The quantizable layer whose parameter `weight` is, and whether `bias` is its bias or absent.
    void layer(const Node* node, const Value* weight, const Value* bias, GraphOp& op) const
    {
        const auto path = paths_.find(weight);
        const std::string suffix = ".weight";
        if (path == paths_.end() || path->second.size() <= suffix.size()
            || path->second.compare(path->second.size() - suffix.size(), suffix.size(), suffix) != 0)
            refuse(node, "a weight that is not a torch.nn.Conv2d or torch.nn.Linear module's own parameter");
        op.module = path->second.substr(0, path->second.size() - suffix.size());
        const auto index = layerIndex_.find(op.module);
        if (index == layerIndex_.end())
            refuse(node, "the weight of " + op.module + ", which is not one of the quantizable layers");
        op.layer = index->second;
        op.hasBias = !isNone(bias);
        if (op.hasBias && (!paths_.count(bias) || paths_.at(bias) != op.module + ".bias"))
            refuse(node, "a bias that is not " + op.module + ".bias");
    }

    // ---- operators ----

    std::string conv(const Node* node)
    {
        // conv2d(x, w, b, stride, padding, dilation, groups); (_)convolution(x, w, b, stride, padding,
        // dilation, transposed, output_padding, groups, ...)
        const bool generic = node->kind() != c10::aten::conv2d;
        if (generic && boolean(node, node->input(6)))
            refuse(node, "transposed convolutions are not supported");
        const c10::IValue* padding = constant(node->input(4));
        if (padding && padding->isString())
            refuse(node, "padding='" + padding->toStringRef() + "': give the padding as numbers");
        GraphOp op;
        op.kind = GraphOp::Kind::Conv;
        layer(node, node->input(1), node->input(2), op);
        const c10::IValue& weight = attributes_.at(node->input(1));
        if (weight.toTensor().dim() != 4 || weight.toTensor().size(2) != weight.toTensor().size(3))
            refuse(node, "only square 2-D kernels are supported");
        op.kernel = int(weight.toTensor().size(2));
        op.stride = square(node, node->input(3), "stride");
        op.padding = square(node, node->input(4), "padding");
        op.dilation = square(node, node->input(5), "dilation");
        op.groups = int(integer(node, node->input(generic ? 8 : 6)));
        return append(std::move(op), node);
    }

    std::string linear(const Node* node)
    {
        GraphOp op;
        op.kind = GraphOp::Kind::Linear;
        layer(node, node->input(1), node->input(2), op);
        return append(std::move(op), node);
    }

    std::string batchNorm(const Node* node)
    {
        // batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps, cudnn)
        if (boolean(node, node->input(5)))
            refuse(node, "batch statistics in eval mode (track_running_stats=False) are not supported");
        const auto mean = paths_.find(node->input(3));
        const std::string suffix = ".running_mean";
        if (mean == paths_.end() || mean->second.size() <= suffix.size())
            refuse(node, "running statistics that are not a torch.nn.BatchNorm2d module's buffers");
        GraphOp op;
        op.kind = GraphOp::Kind::BatchNorm;
        op.module = mean->second.substr(0, mean->second.size() - suffix.size());
        op.eps = number(node, node->input(7));
        const int64_t channels = attributes_.at(node->input(3)).toTensor().numel();
        const std::pair<int, const char*> affine[] = {{1, "weight"}, {2, "bias"}, {4, "running_var"}};
        for (const auto& [index, field] : affine) {
            const std::string name = op.module + "." + field;
            const Value* v = node->input(size_t(index));
            if (isNone(v) && index != 4)
                graph_.constants[name] = toConstant(index == 1 ? torch::ones({channels}) : torch::zeros({channels}));
            else if (!paths_.count(v) || paths_.at(v) != name)
                refuse(node, std::string(field) + " that is not " + name);
        }
        return append(std::move(op), node);
    }

    /// Operators without arguments besides their input.
    std::string unary(const Node* node)
    {
        GraphOp op;
        const std::string kind = baseKind(node);
        op.kind = kind == "aten::relu" ? GraphOp::Kind::Relu
            : kind == "aten::sigmoid"  ? GraphOp::Kind::Sigmoid
                                       : GraphOp::Kind::Tanh;
        return append(std::move(op), node);
    }

    std::string clip(const Node* node)
    {
        GraphOp op;
        op.kind = GraphOp::Kind::Clip;
        if (baseKind(node) == "aten::relu6") {
            op.lo = 0;
            op.hi = 6;
        } else {
            if (!isNone(node->input(1)))
                op.lo = number(node, node->input(1));
            if (!isNone(node->input(2)))
                op.hi = number(node, node->input(2));
        }
        return append(std::move(op), node);
    }

    std::string leakyRelu(const Node* node)
    {
        GraphOp op;
        op.kind = GraphOp::Kind::LeakyRelu;
        op.alpha = number(node, node->input(1));
        return append(std::move(op), node);
    }

    std::string pool(const Node* node)
    {
        // max_pool2d(x, kernel, stride, padding, dilation, ceil_mode);
        // avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
        const bool max = baseKind(node) == "aten::max_pool2d";
        GraphOp op;
        op.kind = max ? GraphOp::Kind::MaxPool : GraphOp::Kind::AveragePool;
        op.kernel = square(node, node->input(1), "kernel");
        op.stride = integers(node, node->input(2)).empty() ? op.kernel : square(node, node->input(2), "stride");
        op.padding = square(node, node->input(3), "padding");
        if (max) {
            op.dilation = square(node, node->input(4), "dilation");
            op.ceilMode = boolean(node, node->input(5));
        } else {
            op.ceilMode = boolean(node, node->input(4));
            op.countIncludePad = boolean(node, node->input(5));
            if (!isNone(node->input(6)))
                refuse(node, "divisor_override is not supported");
        }
        return append(std::move(op), node);
    }

    std::string adaptivePool(const Node* node)
    {
        for (int64_t size : integers(node, node->input(1)))
            if (size != 1)
                refuse(node, "only pooling to 1x1 (global average pooling) is supported");
        GraphOp op;
        op.kind = GraphOp::Kind::GlobalAveragePool;
        op.keepSpatial = true;
        return append(std::move(op), node);
    }

    std::string mean(const Node* node)
    {
        // mean(x, dims, keepdim, dtype)
        if (node->inputs().size() < 3 || !isNone(node->input(3)))
            refuse(node, "only the mean over height and width (x.mean((2, 3))) is supported");
        const std::vector<int64_t> dims = integers(node, node->input(1));
        const std::set<int64_t> spatial(dims.begin(), dims.end());
        if (dims.size() != 2 || !(spatial == std::set<int64_t>{2, 3} || spatial == std::set<int64_t>{-2, -1}))
            refuse(node, "only the mean over height and width (x.mean((2, 3))) is supported");
        GraphOp op;
        op.kind = GraphOp::Kind::GlobalAveragePool;
        op.keepSpatial = boolean(node, node->input(2));
        return append(std::move(op), node);
    }

    std::string elementwise(const Node* node)
    {
        const std::string kind = baseKind(node).substr(6); // after "aten::"
        GraphOp op;
        op.kind = kind == "add" ? GraphOp::Kind::Add
            : kind == "sub"     ? GraphOp::Kind::Sub
            : kind == "mul"     ? GraphOp::Kind::Mul
                                : GraphOp::Kind::Div;
        if (node->inputs().size() > 2) {
            if (kind == "div" && !isNone(node->input(2)))
                refuse(node, "division with a rounding mode is not supported");
            if ((kind == "add" || kind == "sub") && number(node, node->input(2)) != 1.0)
                refuse(node, "alpha other than 1 is not supported");
        }
        op.inputs = {tensor(node->input(0), node), tensor(node->input(1), node)};
        return append(std::move(op), node);
    }

    std::string concat(const Node* node)
    {
        const auto items = lists_.find(node->input(0));
        if (items == lists_.end())
            refuse(node, "a list of tensors that is not built in the graph");
        GraphOp op;
        op.kind = GraphOp::Kind::Concat;
        for (const Value* item : items->second)
            op.inputs.push_back(tensor(item, node));
        op.axis = int(integer(node, node->input(1)));
        return append(std::move(op), node);
    }

    std::string reshape(const Node* node)
    {
        GraphOp op;
        op.kind = GraphOp::Kind::Reshape;
        if (node->kind() == c10::aten::flatten) {
            const int64_t start = integer(node, node->input(1));
            if (start < 0 || integer(node, node->input(2)) != -1)
                refuse(node, "only flattening from a dimension to the last (flatten(1)) is supported");
            op.shape.assign(size_t(start), 0);
            op.shape.push_back(-1);
            return append(std::move(op), node);
        }
        if (const c10::IValue* c = constant(node->input(1)); c && c->isIntList()) {
            op.shape = c->toIntVector();
        } else {
            const auto items = lists_.find(node->input(1));
            if (items == lists_.end())
                refuse(node, "a shape that is not a list of numbers");
            for (size_t i = 0; i < items->second.size(); ++i) {
                const Value* item = items->second[i];
                if (i == 0 && batch_.count(item))
                    op.shape.push_back(0); // x.size(0): the batch, copied from the input
                else
                    op.shape.push_back(integer(node, item));
            }
        }
        return append(std::move(op), node);
    }

    std::string softmax(const Node* node)
    {
        if (node->inputs().size() > 2 && !isNone(node->input(2)))
            refuse(node, "a dtype argument is not supported");
        GraphOp op;
        op.kind = baseKind(node) == "aten::softmax" ? GraphOp::Kind::Softmax : GraphOp::Kind::LogSoftmax;
        op.axis = int(integer(node, node->input(1)));
        return append(std::move(op), node);
    }

    std::string dropout(const Node* node)
    {
        if (boolean(node, node->input(2)))
            refuse(node, "dropout in training mode");
        return identity(node);
    }

    std::string identity(const Node* node) { return tensor(node->input(0), node); }

    c10::intrusive_ptr<c10::ivalue::Object> self_;
    std::string source_;
    std::unordered_map<std::string, int> layerIndex_;
    const Value* selfValue_ = nullptr;
    InferenceGraph graph_;
    std::unordered_map<const Value*, std::string> tensors_;             ///< graph values by name
    std::unordered_map<const Value*, c10::IValue> known_;               ///< constants
    std::unordered_map<const Value*, c10::IValue> attributes_;          ///< attribute reads: modules, tensors, numbers
    std::unordered_map<const Value*, std::string> paths_;               ///< attribute reads: qualified names
    std::unordered_map<const Value*, std::vector<const Value*>> lists_; ///< list and tuple items
    std::unordered_set<const Value*> batch_;                            ///< x.size(0)
    std::unordered_map<const Value*, const Node*> opaque_;              ///< from nodes not translated
};

} // namespace

InferenceGraph torchScriptInferenceGraph(const torch::jit::Module& module, const std::vector<std::string>& layerNames,
                                         const std::string& source)
{
    torch::jit::Module frozen;
    try {
        frozen = torch::jit::freeze_module(module, {}, true, /*preserveParameters=*/true);
    } catch (const c10::Error& e) {
        const std::string what = e.what();
        throw ConfigError("cannot translate " + source
                          + " operator by operator for export: freezing it failed: " + what.substr(0, what.find('\n')));
    }
    return Translator(frozen, layerNames, source).run(*frozen.get_method("forward").graph());
}

void assignNamedTensors(torch::jit::Module& module, const std::map<std::string, at::Tensor>& values)
{
    torch::NoGradGuard noGrad;
    for (const auto& p : module.named_parameters())
        if (const auto found = values.find(p.name); found != values.end())
            p.value.copy_(found->second);
    for (const auto& b : module.named_buffers())
        if (const auto found = values.find(b.name); found != values.end())
            b.value.copy_(found->second);
}

const char* supportedTorchScriptOperators()
{
    return kSupported;
}

} // namespace quantscope
