// Imported TorchScript networks translated operator by operator (model/torchscript_graph.h), the
// form the ONNX and AIMET exports write. That the translated ONNX files compute what the
// TorchScript exports compute is checked in ONNX Runtime (tests/cli/onnx_runtime.sh).
#include "common/error.h"
#include "export/onnx_export.h"
#include "model/network.h"
#include "model/network_backend.h"
#include "synthetic_images.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <fstream>
#include <map>

namespace quantscope {
namespace {

const std::string kModels = QUANTSCOPE_TEST_DATA "/torchscript/";

std::map<GraphOp::Kind, int> kinds(const InferenceGraph& graph)
{
    std::map<GraphOp::Kind, int> count;
    for (const GraphOp& op : graph.ops)
        ++count[op.kind];
    return count;
}

const GraphOp& find(const InferenceGraph& graph, GraphOp::Kind kind)
{
    const auto found =
        std::find_if(graph.ops.begin(), graph.ops.end(), [&](const GraphOp& op) { return op.kind == kind; });
    EXPECT_NE(found, graph.ops.end());
    return *found;
}

/// Every quantizable layer is one Conv or Linear operation, in data-flow order for these chains.
TEST(TorchScriptGraph, EveryLayerIsTranslatedOnce)
{
    for (const std::string model : {"plain_cnn", "residual", "depthwise", "nested", "traced", "normalising_scripted",
                                    "normalising_traced", "more_ops_scripted", "more_ops_traced"}) {
        SCOPED_TRACE(model);
        const Network network = Network::open(kModels + model + ".pt", {});
        const InferenceGraph graph = network.backend().inferenceGraph();
        std::vector<int> layers;
        for (const GraphOp& op : graph.ops)
            if (op.kind == GraphOp::Kind::Conv || op.kind == GraphOp::Kind::Linear) {
                layers.push_back(op.layer);
                EXPECT_EQ(op.module, network.layers()[size_t(op.layer)].name);
            }
        std::vector<int> expected(network.layers().size());
        for (size_t i = 0; i < expected.size(); ++i)
            expected[i] = int(i);
        std::vector<int> sorted = layers;
        std::sort(sorted.begin(), sorted.end());
        EXPECT_EQ(sorted, expected);
        EXPECT_FALSE(graph.output.empty());
    }
}

TEST(TorchScriptGraph, ScriptedAndTracedGiveTheSameOperations)
{
    const Network scripted = Network::open(kModels + "more_ops_scripted.pt", {});
    const Network traced = Network::open(kModels + "more_ops_traced.pt", {});
    const InferenceGraph graph = scripted.backend().inferenceGraph();
    EXPECT_EQ(kinds(graph), kinds(traced.backend().inferenceGraph()));
    const std::map<GraphOp::Kind, int> count = kinds(graph);
    for (GraphOp::Kind kind : {GraphOp::Kind::AveragePool, GraphOp::Kind::Clip, GraphOp::Kind::LeakyRelu,
                               GraphOp::Kind::Sigmoid, GraphOp::Kind::Mul, GraphOp::Kind::Concat,
                               GraphOp::Kind::GlobalAveragePool, GraphOp::Kind::Reshape, GraphOp::Kind::LogSoftmax})
        EXPECT_EQ(count.count(kind), 1u) << int(kind);
    EXPECT_EQ(count.at(GraphOp::Kind::Clip), 2); // relu6 and hardtanh(-1, 3)
    EXPECT_EQ(graph.ops[1].kind, GraphOp::Kind::Clip);
    EXPECT_EQ(graph.ops[1].hi, 6.0);
    EXPECT_EQ(find(graph, GraphOp::Kind::LeakyRelu).alpha, 0.1);
    EXPECT_TRUE(find(graph, GraphOp::Kind::GlobalAveragePool).keepSpatial);
    EXPECT_EQ(find(graph, GraphOp::Kind::Reshape).shape, (std::vector<int64_t>{0, -1})); // view(x.size(0), -1)
    const auto dilated =
        std::find_if(graph.ops.begin(), graph.ops.end(), [](const GraphOp& op) { return op.module == "conv2"; });
    ASSERT_NE(dilated, graph.ops.end());
    EXPECT_EQ(dilated->dilation, 2);
    EXPECT_EQ(dilated->padding, 2);
}

/// Normalisation inside forward reads the module's buffers: Sub and Div by `mean` and `std`.
TEST(TorchScriptGraph, NormalisationInsideReadsTheBuffers)
{
    const Network network = Network::open(kModels + "normalising_scripted.pt", {});
    const InferenceGraph graph = network.backend().inferenceGraph();
    ASSERT_GE(graph.ops.size(), 2u);
    EXPECT_EQ(graph.ops[0].kind, GraphOp::Kind::Sub);
    EXPECT_EQ(graph.ops[0].inputs, (std::vector<std::string>{graph.input, "mean"}));
    EXPECT_EQ(graph.ops[1].kind, GraphOp::Kind::Div);
    EXPECT_EQ(graph.ops[1].inputs[1], "std");
    ASSERT_TRUE(graph.constants.count("mean"));
    EXPECT_NEAR(graph.constants.at("mean").values.at(0), 0.2860, 1e-6);
}

TEST(TorchScriptGraph, OnnxExportOfAnImportedNetworkHasItsLayers)
{
    const Network network = Network::open(kModels + "residual.pt", {});
    test::TempDir dir;
    QuantSettings settings;
    settings.quantizer = QuantizerKind::Uniform;
    exportOnnx(network, BitConfig::parse("8,6,3,4,5,2,8", network.layerNames()), settings, test::syntheticImages(4, 1),
               dir.file("m.onnx"));
    onnx::ModelProto model;
    std::ifstream in(dir.file("m.onnx"), std::ios::binary);
    ASSERT_TRUE(model.ParseFromIstream(&in));
    std::map<std::string, int> ops;
    for (const onnx::NodeProto& node : model.graph().node())
        ++ops[node.op_type()];
    EXPECT_EQ(ops["Conv"], 6);
    EXPECT_EQ(ops["Gemm"], 1);
    EXPECT_EQ(ops["BatchNormalization"], 6);
    EXPECT_EQ(ops["Add"], 2);
    EXPECT_EQ(ops["DequantizeLinear"], 7 + 6); // every weight; every input but the image's
}

TEST(TorchScriptGraph, OperatorsOutsideTheSupportedSetAreRefusedWithTheirSourceLine)
{
    const Network network = Network::open(kModels + "unsupported_op.pt", {});
    try {
        network.backend().inferenceGraph();
        FAIL() << "a graph with cumsum was translated";
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("aten::cumsum at "), std::string::npos) << what;
        EXPECT_NE(what.find("make_torchscript_models.py:"), std::string::npos) << what;
        EXPECT_NE(what.find("not in the supported set (conv2d, linear"), std::string::npos) << what;
    }
}

} // namespace
} // namespace quantscope
