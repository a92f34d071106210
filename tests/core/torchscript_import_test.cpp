// Imported TorchScript networks (tests/data/torchscript, made by tests/python/make_torchscript_models.py
// with python3-torch): Quantscope's inventory and float accuracy against what PyTorch reported
// when it made them, quantization, fine-tuning, and the models that must be refused.
#include "common/error.h"
#include "export/torchscript_export.h"
#include "train/batches.h"
#include "data/dataset.h"
#include "model/network.h"
#include "model/network_backend.h"
#include "train/quantized_evaluation.h"
#include "train/trainer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/script.h>
#include <torch/torch.h>

#include <zip.h>

#include <cstdio>

#include <fstream>

namespace quantscope {
namespace {

const std::string kModels = QUANTSCOPE_TEST_DATA "/torchscript/";

nlohmann::json reference(const std::string& model)
{
    std::ifstream in(kModels + model + ".json");
    return nlohmann::json::parse(in);
}

ModelSpec inputFor(const nlohmann::json& ref)
{
    ModelSpec input;
    input.mean = ref.at("mean").get<std::vector<float>>();
    input.stddev = ref.at("std").get<std::vector<float>>();
    return input;
}

class TorchScriptImport : public ::testing::TestWithParam<std::string> {
protected:
    static void SetUpTestSuite()
    {
        dataset_ = new Dataset(loadDataset(DatasetKind::FashionMnist));
        firstImages_ = new ImageSet(dataset_->test.head(1000));
    }
    static void TearDownTestSuite()
    {
        delete firstImages_;
        delete dataset_;
    }
    static Dataset* dataset_;
    static ImageSet* firstImages_;
};

Dataset* TorchScriptImport::dataset_ = nullptr;
ImageSet* TorchScriptImport::firstImages_ = nullptr;

TEST_P(TorchScriptImport, MatchesPyTorchAndQuantizes)
{
    const nlohmann::json ref = reference(GetParam());
    Network network = Network::importTorchScript(kModels + GetParam() + ".pt", inputFor(ref));

    // Inventory: PyTorch's names, kinds, shapes and parameter counts, in data-flow order.
    const auto& layers = ref.at("layers");
    ASSERT_EQ(network.layers().size(), layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        const LayerInfo& layer = network.layers()[i];
        EXPECT_EQ(layer.name, layers[i].at("name").get<std::string>());
        EXPECT_EQ(layerKindName(layer.kind), layers[i].at("kind").get<std::string>());
        EXPECT_EQ(layer.weightShape, layers[i].at("weight_shape").get<std::vector<int64_t>>());
        EXPECT_EQ(layer.parameterCount(), layers[i].at("parameters").get<int64_t>());
        EXPECT_GT(layer.macs, 0);
    }
    EXPECT_TRUE(network.layers().front().takesImage);
    EXPECT_EQ(network.spec().classes, 10);

    // Float accuracy equals PyTorch's on the same images; all-8-bit changes it by < 0.5 points.
    const double floatAccuracy = evaluateAccuracy(network, *firstImages_);
    EXPECT_NEAR(floatAccuracy, ref.at("float_accuracy").get<double>(), 0.01);
    for (QuantizerKind kind : {QuantizerKind::DSConv, QuantizerKind::Uniform}) {
        EvaluationRequest request;
        request.quant.quantizer = kind;
        request.bits = BitConfig::uniform(8, network.layers().size());
        const ImageSet train600 = dataset_->train.head(600);
        const double eightBit =
            evaluateConfiguration(network, EvaluationData{train600, dataset_->augmentation, train600, *firstImages_},
                                  request)
                .accuracy;
        EXPECT_NEAR(eightBit, floatAccuracy, 0.5) << quantizerName(kind);
    }
    // The evaluations quantized copies: the imported network itself is unchanged.
    EXPECT_DOUBLE_EQ(evaluateAccuracy(network, *firstImages_), floatAccuracy);
}

INSTANTIATE_TEST_SUITE_P(Models, TorchScriptImport,
                         ::testing::Values("plain_cnn", "residual", "depthwise", "nested", "traced"));

TEST(TorchScriptImportTraining, FineTuningTrainsTheScriptedParametersThroughTheQuantizers)
{
    const Network network = Network::importTorchScript(kModels + "plain_cnn.pt", ModelSpec{});
    const Dataset data = loadDataset(DatasetKind::FashionMnist);
    const ImageSet eval = data.test.head(500);
    EvaluationRequest request;
    request.bits = BitConfig::uniform(2, network.layers().size());
    const ImageSet train2000 = data.train.head(2000);
    const EvaluationData set{train2000, data.augmentation, train2000, eval};
    const double quantizedOnly = evaluateConfiguration(network, set, request).accuracy;
    request.fineTune = TrainOptions::nuqFineTune(60, 1);
    const double fineTuned = evaluateConfiguration(network, set, request).accuracy;
    EXPECT_GT(fineTuned, quantizedOnly + 5.0) << "2-bit: " << quantizedOnly << " -> " << fineTuned;
}

TEST(TorchScriptImportTraining, TwoImportsOfOneFileAreIndependent)
{
    const Network a = Network::importTorchScript(kModels + "residual.pt", inputFor(reference("residual")));
    Network b = a.clone();
    {
        torch::NoGradGuard noGrad;
        b.backend().parameters()[0].add_(1.0);
    }
    EXPECT_FALSE(torch::equal(a.backend().parameters()[0], b.backend().parameters()[0]));
    const torch::Tensor x = torch::rand({2, 1, 28, 28});
    a.backend().setTraining(false);
    b.backend().setTraining(false);
    EXPECT_FALSE(torch::allclose(a.backend().forward(x), b.backend().forward(x)));
}

/// The exported TorchScript of an imported network computes what Quantscope simulates, with
/// per-instance bits on layers that share a class (layer1.conv1 and layer1.conv2 of `residual`).
TEST(TorchScriptImportExport, ExportedModuleMatchesTheSimulation)
{
    const nlohmann::json ref = reference("residual");
    const Network network = Network::importTorchScript(kModels + "residual.pt", inputFor(ref));
    const Dataset data = loadDataset(DatasetKind::FashionMnist);
    const ImageSet calibration = data.train.head(64);
    const BitConfig bits = BitConfig::parse("8,6,3,4,5,2,8", network.layerNames());
    for (QuantizerKind kind : {QuantizerKind::DSConv, QuantizerKind::Uniform, QuantizerKind::Hwgq, QuantizerKind::Qn}) {
        QuantSettings settings;
        settings.quantizer = kind;
        const std::string path = ::testing::TempDir() + "/imported-" + quantizerName(kind) + ".pt";
        exportTorchScript(network, bits, settings, calibration, path);
        Network reference = network.clone();
        applyQuantization(reference, bits, settings, calibration);
        torch::NoGradGuard noGrad;
        reference.backend().setTraining(false);
        const torch::Tensor x = normalise(imageRange(data.test, 0, 32), network.spec());
        const torch::Tensor expected = reference.backend().forward(x);
        torch::jit::Module loaded = torch::jit::load(path);
        loaded.eval();
        const torch::Tensor actual = loaded.forward({x}).toTensor();
        EXPECT_LE((actual - expected).abs().max().item<double>(), 1e-4 * expected.abs().max().item<double>())
            << quantizerName(kind);
        std::remove(path.c_str());
    }
}

void expectRefused(const std::string& file, const std::string& message, const ModelSpec& input = {})
{
    try {
        Network::open(file, input);
        FAIL() << file << " was accepted";
    } catch (const ModelError& e) {
        EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
}

TEST(TorchScriptImportErrors, BadModelsGetClearMessages)
{
    expectRefused(kModels + "bad_no_layers.pt", "has no conv or linear layers");
    expectRefused(kModels + "bad_raises.pt", "fails on a 1x28x28 input: RuntimeError: this model refuses to run");
    expectRefused(kModels + "bad_colour_input.pt",
                  "expects 3-channel input (its first layer 'conv') but the data has 1x28x28");
    expectRefused(kModels + "bad_state_dict.pt", "not a Quantscope or TorchScript model");
    expectRefused(kModels + "plain_cnn.json", "not a Quantscope or TorchScript model");
    expectRefused(kModels + "absent.pt", "model file not found");
    // hardening case 5: flipped weight bytes loaded and evaluated at 9 %
    expectRefused(kModels + "bad_crc.pt", "is corrupt: member 'plain_cnn/data/7' fails its check (CRC error)");
    ModelSpec wrongNormalisation;
    wrongNormalisation.mean = {0.5f, 0.5f};
    wrongNormalisation.stddev = {0.5f, 0.5f};
    try {
        wrongNormalisation.validateNormalisation();
        FAIL();
    } catch (const ModelError& e) {
        EXPECT_NE(std::string(e.what()).find("one mean and one std per channel (1), got 2 and 2"), std::string::npos);
    }
}

/// A zip whose member inflates far beyond the file (16 MiB of zeros in a few KiB) is refused
/// before anything inflates it.
TEST(TorchScriptImportErrors, DecompressionBombIsRefused)
{
    const std::string path = ::testing::TempDir() + "/bomb.pt";
    std::remove(path.c_str());
    int code = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_EXCL, &code);
    ASSERT_NE(archive, nullptr);
    static const std::vector<char> zeros(16 << 20, 0);
    zip_source_t* source = zip_source_buffer(archive, zeros.data(), zeros.size(), 0);
    ASSERT_GE(zip_file_add(archive, "bomb/data/0", source, 0), 0);
    ASSERT_EQ(zip_close(archive), 0);
    expectRefused(path, "its members declare 16 MiB of contents in a 0 MiB file");
    std::remove(path.c_str());
}

} // namespace
} // namespace quantscope
