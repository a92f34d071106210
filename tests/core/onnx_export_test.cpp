#include "common/error.h"
#include "export/onnx_export.h"
#include "model/zoo.h"
#include "synthetic_images.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace quantscope {
namespace {

onnx::ModelProto readModel(const std::string& path)
{
    onnx::ModelProto model;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(model.ParseFromIstream(&in)) << path;
    return model;
}

int count(const onnx::ModelProto& model, const std::string& opType)
{
    int n = 0;
    for (const onnx::NodeProto& node : model.graph().node())
        n += node.op_type() == opType;
    return n;
}

const onnx::TensorProto* initializer(const onnx::ModelProto& model, const std::string& name)
{
    for (const onnx::TensorProto& t : model.graph().initializer())
        if (t.name() == name)
            return &t;
    return nullptr;
}

/// Exports every zoo architecture; checks validity, one QDQ pair per quantized input, one
/// DequantizeLinear per quantized weight, and integer weights on each layer's own grid.
TEST(OnnxExport, QuantizedLayersBecomeQdqPairsOnTheirOwnGrids)
{
    for (const std::string architecture : {"vgg11s", "resnet20", "googlenet-s"}) {
        SCOPED_TRACE(architecture);
        const Network network = Network::create(zooSpec(architecture, DatasetKind::FashionMnist), 3);
        const size_t layers = network.layers().size();
        // Cycle 2..8-bit weights with 8-bit activations; the last layer float.
        std::vector<LayerBits> bits;
        for (size_t i = 0; i < layers; ++i)
            bits.push_back(i + 1 == layers ? LayerBits{0, 0} : LayerBits{int(2 + i % 7), 8});
        QuantSettings settings;
        settings.quantizer = QuantizerKind::Uniform;
        test::TempDir dir;
        exportOnnx(network, BitConfig(bits), settings, test::syntheticImages(3, 1), dir.file("m.onnx"));

        const onnx::ModelProto model = readModel(dir.file("m.onnx"));
        EXPECT_NO_THROW(onnx::checker::check_model(model));
        EXPECT_EQ(model.opset_import(0).version(), kOnnxOpset);
        // The first layer reads the image (left float by the default policy); the last is float.
        EXPECT_EQ(count(model, "QuantizeLinear"), int(layers) - 2);
        EXPECT_EQ(count(model, "DequantizeLinear"), 2 * (int(layers) - 1) - 1);
        for (size_t i = 0; i + 1 < layers; ++i) {
            const LayerInfo& layer = network.layers()[i];
            const onnx::TensorProto* integers = initializer(model, layer.name + ".weight_quantized");
            const onnx::TensorProto* scales = initializer(model, layer.name + ".weight_scale");
            ASSERT_TRUE(integers && scales) << layer.name;
            ASSERT_EQ(integers->data_type(), onnx::TensorProto::INT8);
            EXPECT_EQ(scales->dims(0), layer.outputChannels());
            const int qmax = bits[i].weight == 1 ? 1 : (1 << (bits[i].weight - 1)) - 1;
            int largest = 0;
            for (const char value : integers->raw_data())
                largest = std::max(largest, std::abs(int(static_cast<signed char>(value))));
            EXPECT_EQ(largest, qmax) << layer.name << " at " << bits[i].weight << " bits";
        }
        const std::string last = network.layers().back().name + ".weight";
        ASSERT_TRUE(initializer(model, last));
        EXPECT_EQ(initializer(model, last)->data_type(), onnx::TensorProto::FLOAT);
    }
}

TEST(OnnxExport, NarrowActivationsAreClippedToTheirGrid)
{
    const Network network = Network::create(zooSpec("vgg11s", DatasetKind::FashionMnist), 3);
    QuantSettings settings;
    settings.quantizer = QuantizerKind::Uniform;
    test::TempDir dir;
    exportOnnx(network, BitConfig::parse("8,8,4,8,8,8,8,8,8", network.layerNames()), settings,
               test::syntheticImages(3, 1), dir.file("m.onnx"));
    const onnx::ModelProto model = readModel(dir.file("m.onnx"));
    // conv2's input (after ReLU) is 4-bit unsigned: Clip to 15 steps; 8-bit uint8 needs no Clip.
    EXPECT_EQ(count(model, "Clip"), 1);
    const onnx::TensorProto* hi = initializer(model, "conv2.input_max");
    const onnx::TensorProto* scale = initializer(model, "conv2.input_scale");
    ASSERT_TRUE(hi && scale);
    float hiValue = 0, scaleValue = 0;
    std::memcpy(&hiValue, hi->raw_data().data(), sizeof hiValue);
    std::memcpy(&scaleValue, scale->raw_data().data(), sizeof scaleValue);
    EXPECT_NEAR(hiValue / scaleValue, 15.0, 1e-4);
}

TEST(OnnxExport, RefusesNonUniformQuantizersWithTheReasonAndUnwritablePaths)
{
    const Network network = Network::create(zooSpec("vgg11s", DatasetKind::FashionMnist), 3);
    const BitConfig bits = BitConfig::uniform(8, network.layers().size());
    for (const auto& [kind, reason] : {std::pair{QuantizerKind::DSConv, "per-block weight scales"},
                                       std::pair{QuantizerKind::Hwgq, "small positive activations"}}) {
        QuantSettings settings;
        settings.quantizer = kind;
        try {
            exportOnnx(network, bits, settings, test::syntheticImages(2, 1), "/tmp/never.onnx");
            ADD_FAILURE() << quantizerName(kind) << " exported";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
        }
    }
    QuantSettings uniform;
    uniform.quantizer = QuantizerKind::Uniform;
    EXPECT_THROW(exportOnnx(network, bits, uniform, test::syntheticImages(2, 1), "/nonexistent-dir/m.onnx"),
                 ModelError);
}

} // namespace
} // namespace quantscope
