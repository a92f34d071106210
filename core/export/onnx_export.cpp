#include "export/onnx_export.h"

#include "common/error.h"
#include "export/quantized_snapshot.h"
#include "model/network_backend.h"
#include "quant/uniform_quantizer.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <fstream>
#include <map>
#include <set>

namespace quantscope {
namespace {

using onnx::TensorProto;

/// Builds the ONNX graph: initializers from tensors, nodes with attributes, unique value names.
class OnnxGraphWriter {
public:
    explicit OnnxGraphWriter(onnx::GraphProto& graph) : graph_(graph) {}

    void initializer(const std::string& name, const torch::Tensor& value)
    {
        TensorProto* t = graph_.add_initializer();
        t->set_name(name);
        for (int64_t d : value.sizes())
            t->add_dims(d);
        const torch::Tensor data = value.contiguous();
        switch (data.scalar_type()) {
        case torch::kFloat32: t->set_data_type(TensorProto::FLOAT); break;
        case torch::kInt8: t->set_data_type(TensorProto::INT8); break;
        case torch::kUInt8: t->set_data_type(TensorProto::UINT8); break;
        case torch::kInt64: t->set_data_type(TensorProto::INT64); break;
        default: throw ModelError("ONNX export: unexpected tensor type for " + name);
        }
        t->set_raw_data(data.data_ptr(), size_t(data.numel()) * data.element_size()); // little-endian host
    }

    std::string scalar(const std::string& name, const torch::Tensor& value)
    {
        initializer(name, value.reshape({}));
        return name;
    }

    onnx::NodeProto& node(const std::string& type, const std::vector<std::string>& inputs, const std::string& output)
    {
        onnx::NodeProto* n = graph_.add_node();
        n->set_op_type(type);
        n->set_name(output);
        for (const std::string& input : inputs)
            n->add_input(input);
        n->add_output(output);
        return *n;
    }

    static void attribute(onnx::NodeProto& n, const std::string& name, std::vector<int64_t> values)
    {
        onnx::AttributeProto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INTS);
        for (int64_t v : values)
            a->add_ints(v);
    }
    static void attribute(onnx::NodeProto& n, const std::string& name, int64_t value)
    {
        onnx::AttributeProto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(value);
    }
    static void attribute(onnx::NodeProto& n, const std::string& name, float value)
    {
        onnx::AttributeProto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(value);
    }

    onnx::ValueInfoProto* graphInput() { return graph_.add_input(); }
    onnx::ValueInfoProto* graphOutput() { return graph_.add_output(); }

    void value(onnx::ValueInfoProto* info, const std::string& name, const std::vector<int64_t>& dims)
    {
        info->set_name(name);
        onnx::TypeProto_Tensor* type = info->mutable_type()->mutable_tensor_type();
        type->set_elem_type(TensorProto::FLOAT);
        for (int64_t d : dims) {
            auto* dim = type->mutable_shape()->add_dim();
            if (d < 0)
                dim->set_dim_param("batch");
            else
                dim->set_dim_value(d);
        }
    }

private:
    onnx::GraphProto& graph_;
};

class OnnxExporter {
public:
    OnnxExporter(const QuantizedSnapshot& snapshot, onnx::GraphProto& graph) : snapshot_(snapshot), out_(graph)
    {
        snapshot.forEachTensor([this](const std::string& name, const torch::Tensor& value) {
            tensors_[name] = value.to(torch::kFloat32);
        });
        for (const auto& [name, constant] : snapshot.graph().constants) // parameters and buffers take precedence
            if (!tensors_.count(name))
                tensors_[name] = torch::tensor(constant.values).view(constant.shape);
    }

    void write(const ModelSpec& spec)
    {
        const InferenceGraph& graph = snapshot_.graph();
        out_.value(out_.graphInput(), "image", {-1, spec.channels, spec.height, spec.width});
        const bool normalise = !spec.mean.empty();
        std::string x = "image";
        if (normalise) {
            out_.initializer("input_mean", torch::tensor(spec.mean).view({1, spec.channels, 1, 1}));
            out_.initializer("input_std", torch::tensor(spec.stddev).view({1, spec.channels, 1, 1}));
            out_.node("Div", {out_.node("Sub", {x, "input_mean"}, "image_centred").output(0), "input_std"},
                      "image_normalised");
            x = "image_normalised";
        }
        names_[graph.input] = x;
        for (const GraphOp& op : graph.ops)
            names_[op.output] = emit(op);
        out_.node("Identity", {names_.at(graph.output)}, "logits");
        out_.value(out_.graphOutput(), "logits", {-1, spec.classes});
    }

private:
    /// An operand: a value computed earlier, or a parameter or constant (an initializer).
    std::string in(const GraphOp& op, size_t i = 0)
    {
        const auto found = names_.find(op.inputs[i]);
        return found != names_.end() ? found->second : parameter(op.inputs[i]);
    }

    /// A fresh name for the nodes and initializers of a layer's n-th use (shared layers are reused).
    std::string uniqueName(const std::string& prefix)
    {
        const int use = uses_[prefix]++;
        return use == 0 ? prefix : prefix + "_" + std::to_string(use + 1);
    }

    const torch::Tensor& tensor(const std::string& name) const
    {
        const auto found = tensors_.find(name);
        if (found == tensors_.end())
            throw ModelError("ONNX export: the network has no tensor " + name);
        return found->second;
    }

    /// A parameter as an initializer named by its qualified name.
    std::string parameter(const std::string& name)
    {
        if (written_.insert(name).second)
            out_.initializer(name, tensor(name));
        return name;
    }

    /// The layer's weight: integers + per-channel scales through DequantizeLinear, or float.
    std::string weight(const GraphOp& op)
    {
        const std::string name = op.module + ".weight";
        const int bits = snapshot_.weightBits(op.layer);
        if (bits == 0)
            return parameter(name);
        if (!written_.insert(name).second) // a shared layer's weight is written once
            return name;
        torch::Tensor integers, scales;
        uniformIntegerWeight(snapshot_.network().backend().quantLayers().weight(op.layer).detach().cpu(), bits,
                             integers, scales);
        out_.initializer(name + "_quantized", integers);
        out_.initializer(name + "_scale", scales.to(torch::kFloat32));
        out_.initializer(name + "_zero_point", torch::zeros({scales.size(0)}, torch::kInt8));
        auto& dq = out_.node("DequantizeLinear", {name + "_quantized", name + "_scale", name + "_zero_point"}, name);
        OnnxGraphWriter::attribute(dq, "axis", int64_t(0));
        return name;
    }

    /// The layer's input, through Clip-QuantizeLinear-DequantizeLinear when it is quantized.
    std::string quantizedInput(const GraphOp& op)
    {
        const std::string x = in(op);
        const int bits = snapshot_.inputBits(op.layer);
        const ActivationRange& range = snapshot_.inputRange(op.layer);
        if (bits == 0 || !range.valid())
            return x;
        const UniformGrid grid = uniformActivationGrid(bits, range);
        const std::string prefix = uniqueName(op.module + ".input");
        std::string clipped = x;
        // uint8 saturates to [0, 255] and int8 to [-128, 127]; narrower grids clip first.
        if (!(range.nonNegative && grid.hi == 255)) {
            const std::string lo = out_.scalar(prefix + "_min", torch::tensor(float(grid.lo * grid.scale)));
            const std::string hi = out_.scalar(prefix + "_max", torch::tensor(float(grid.hi * grid.scale)));
            clipped = out_.node("Clip", {x, lo, hi}, prefix + "_clipped").output(0);
        }
        const std::string scale = out_.scalar(prefix + "_scale", torch::tensor(float(grid.scale)));
        const std::string zero =
            out_.scalar(prefix + "_zero_point", torch::zeros({}, range.nonNegative ? torch::kUInt8 : torch::kInt8));
        out_.node("QuantizeLinear", {clipped, scale, zero}, prefix + "_quantized");
        return out_.node("DequantizeLinear", {prefix + "_quantized", scale, zero}, prefix + "_dequantized").output(0);
    }

    /// Square window attributes of Conv, MaxPool and AveragePool.
    static void window(onnx::NodeProto& n, const GraphOp& op)
    {
        OnnxGraphWriter::attribute(n, "kernel_shape", std::vector<int64_t>{op.kernel, op.kernel});
        OnnxGraphWriter::attribute(n, "strides", std::vector<int64_t>{op.stride, op.stride});
        OnnxGraphWriter::attribute(n, "pads", std::vector<int64_t>(4, op.padding));
        if (op.dilation != 1)
            OnnxGraphWriter::attribute(n, "dilations", std::vector<int64_t>{op.dilation, op.dilation});
    }

    std::string emit(const GraphOp& op)
    {
        switch (op.kind) {
        case GraphOp::Kind::Conv: {
            std::vector<std::string> inputs = {quantizedInput(op), weight(op)};
            if (op.hasBias)
                inputs.push_back(parameter(op.module + ".bias"));
            auto& n = out_.node("Conv", inputs, uniqueName(op.module + ".output"));
            window(n, op);
            OnnxGraphWriter::attribute(n, "group", int64_t(op.groups));
            return n.output(0);
        }
        case GraphOp::Kind::Linear: {
            std::vector<std::string> inputs = {quantizedInput(op), weight(op)};
            if (op.hasBias)
                inputs.push_back(parameter(op.module + ".bias"));
            auto& n = out_.node("Gemm", inputs, uniqueName(op.module + ".output"));
            OnnxGraphWriter::attribute(n, "transB", int64_t(1));
            return n.output(0);
        }
        case GraphOp::Kind::BatchNorm: {
            auto& n = out_.node("BatchNormalization",
                                {in(op), parameter(op.module + ".weight"), parameter(op.module + ".bias"),
                                 parameter(op.module + ".running_mean"), parameter(op.module + ".running_var")},
                                uniqueName(op.module + ".output"));
            OnnxGraphWriter::attribute(n, "epsilon", float(op.eps));
            return n.output(0);
        }
        case GraphOp::Kind::Relu: return out_.node("Relu", {in(op)}, op.output).output(0);
        case GraphOp::Kind::MaxPool:
        case GraphOp::Kind::AveragePool: {
            const bool max = op.kind == GraphOp::Kind::MaxPool;
            auto& n = out_.node(max ? "MaxPool" : "AveragePool", {in(op)}, op.output);
            window(n, op);
            if (op.ceilMode)
                OnnxGraphWriter::attribute(n, "ceil_mode", int64_t(1));
            if (!max && op.countIncludePad && op.padding > 0)
                OnnxGraphWriter::attribute(n, "count_include_pad", int64_t(1));
            return n.output(0);
        }
        case GraphOp::Kind::Add: return out_.node("Add", {in(op, 0), in(op, 1)}, op.output).output(0);
        case GraphOp::Kind::Sub: return out_.node("Sub", {in(op, 0), in(op, 1)}, op.output).output(0);
        case GraphOp::Kind::Mul: return out_.node("Mul", {in(op, 0), in(op, 1)}, op.output).output(0);
        case GraphOp::Kind::Div: return out_.node("Div", {in(op, 0), in(op, 1)}, op.output).output(0);
        case GraphOp::Kind::Concat: {
            std::vector<std::string> inputs;
            for (size_t i = 0; i < op.inputs.size(); ++i)
                inputs.push_back(in(op, i));
            auto& n = out_.node("Concat", inputs, op.output);
            OnnxGraphWriter::attribute(n, "axis", int64_t(op.axis));
            return n.output(0);
        }
        case GraphOp::Kind::GlobalAveragePool: {
            if (op.keepSpatial)
                return out_.node("GlobalAveragePool", {in(op)}, op.output).output(0);
            const std::string pooled = out_.node("GlobalAveragePool", {in(op)}, op.output + "_pooled").output(0);
            auto& n = out_.node("Flatten", {pooled}, op.output);
            OnnxGraphWriter::attribute(n, "axis", int64_t(1));
            return n.output(0);
        }
        case GraphOp::Kind::Clip: {
            const std::string lo = out_.scalar(op.output + "_min", torch::tensor(float(op.lo)));
            const std::string hi = out_.scalar(op.output + "_max", torch::tensor(float(op.hi)));
            return out_.node("Clip", {in(op), lo, hi}, op.output).output(0);
        }
        case GraphOp::Kind::LeakyRelu: {
            auto& n = out_.node("LeakyRelu", {in(op)}, op.output);
            OnnxGraphWriter::attribute(n, "alpha", float(op.alpha));
            return n.output(0);
        }
        case GraphOp::Kind::Sigmoid: return out_.node("Sigmoid", {in(op)}, op.output).output(0);
        case GraphOp::Kind::Tanh: return out_.node("Tanh", {in(op)}, op.output).output(0);
        case GraphOp::Kind::Softmax:
        case GraphOp::Kind::LogSoftmax: {
            auto& n = out_.node(op.kind == GraphOp::Kind::Softmax ? "Softmax" : "LogSoftmax", {in(op)}, op.output);
            OnnxGraphWriter::attribute(n, "axis", int64_t(op.axis));
            return n.output(0);
        }
        case GraphOp::Kind::Reshape: {
            out_.initializer(op.output + "_shape", torch::tensor(op.shape, torch::kInt64));
            return out_.node("Reshape", {in(op), op.output + "_shape"}, op.output).output(0);
        }
        }
        throw ModelError("ONNX export: unknown graph operation");
    }

    const QuantizedSnapshot& snapshot_;
    OnnxGraphWriter out_;
    std::map<std::string, torch::Tensor> tensors_;
    std::map<std::string, std::string> names_; ///< graph value -> ONNX value
    std::set<std::string> written_;            ///< parameters already written as initializers
    std::map<std::string, int> uses_;          ///< uniqueName's counts
};

} // namespace

void requireOnnxQuantizer(const QuantSettings& settings)
{
    if (const std::string obstacle = scaleOffsetObstacle(settings.quantizer); !obstacle.empty())
        throw ConfigError("ONNX QDQ export needs the uniform quantizer (QuantizeLinear/DequantizeLinear): " + obstacle);
}

void exportOnnx(const Network& network, const BitConfig& bits, const QuantSettings& settings,
                const ImageSet& calibrationSet, const std::string& path, const std::string& provenance)
{
    requireOnnxQuantizer(settings);
    const QuantizedSnapshot snapshot(network, bits, settings, calibrationSet);
    onnx::ModelProto model;
    model.set_ir_version(onnx::IR_VERSION); // 8 in Debian's ONNX 1.12
    model.set_producer_name("Quantscope");
    model.set_doc_string("mixed-precision configuration " + bits.toString() + " (uniform quantizer, QDQ)");
    if (!provenance.empty()) {
        onnx::StringStringEntryProto* entry = model.add_metadata_props();
        entry->set_key("quantscope");
        entry->set_value(provenance);
    }
    onnx::OperatorSetIdProto* opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOnnxOpset);
    onnx::GraphProto* graph = model.mutable_graph();
    graph->set_name(network.spec().architecture);
    OnnxExporter(snapshot, *graph).write(network.spec());
    try {
        onnx::checker::check_model(model);
    } catch (const std::exception& e) {
        throw ModelError(std::string("ONNX export produced an invalid model (a Quantscope bug): ") + e.what());
    }
    std::ofstream out(path, std::ios::binary);
    if (!out || !model.SerializeToOstream(&out) || !out.flush())
        throw ModelError("cannot write ONNX model " + path);
}

} // namespace quantscope
