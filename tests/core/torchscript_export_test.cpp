#include "common/error.h"
#include "export/torchscript_export.h"
#include "model/network_backend.h"
#include "model/zoo.h"
#include "synthetic_images.h"
#include "temp_dir.h"
#include "train/batches.h"

#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

namespace quantscope {
namespace {

/// The exported module, loaded back, computes what Quantscope's quantized network computes.
void expectSameOutputs(const std::string& architecture, DatasetKind dataset, QuantizerKind kind,
                       const std::string& bits)
{
    torch::manual_seed(0);
    const Network network = Network::create(zooSpec(architecture, dataset), 4);
    ImageSet calibration = test::syntheticImages(20, 3);
    if (dataset == DatasetKind::Cifar10) { // 3 x 32 x 32 noise images
        calibration.channels = 3;
        calibration.height = calibration.width = 32;
        calibration.pixels.assign(calibration.size() * 3 * 32 * 32, 0);
        for (size_t i = 0; i < calibration.pixels.size(); ++i)
            calibration.pixels[i] = uint8_t((i * 2654435761u) >> 24);
    }
    QuantSettings settings;
    settings.quantizer = kind;
    const BitConfig config = BitConfig::parse(bits, network.layerNames());
    test::TempDir dir;
    exportTorchScript(network, config, settings, calibration, dir.file("model.pt"));

    Network reference = network.clone();
    applyQuantization(reference, config, settings, calibration);
    torch::NoGradGuard noGrad;
    reference.backend().setTraining(false);
    const torch::Tensor pixels = imageRange(calibration, 0, 16);
    const torch::Tensor expected = reference.backend().forward(normalise(pixels, network.spec()));
    torch::jit::Module loaded = torch::jit::load(dir.file("model.pt"));
    const torch::Tensor actual = loaded.forward({pixels.to(torch::kFloat32).div(255.0)}).toTensor();
    // Relative to the outputs' scale: an untrained network's logits are small.
    const double scale = expected.abs().max().item<double>();
    ASSERT_GT(scale, 0);
    EXPECT_LE((actual - expected).abs().max().item<double>(), 1e-5 * scale)
        << architecture << " " << quantizerName(kind) << ", output scale " << scale;
}

TEST(TorchScriptExport, Vgg11sMatchesTheSimulation)
{
    expectSameOutputs("vgg11s", DatasetKind::FashionMnist, QuantizerKind::DSConv, "8,6,6,4,4,3,3,2,8");
    expectSameOutputs("vgg11s", DatasetKind::FashionMnist, QuantizerKind::Uniform, "8,6,6,4,4,3,3,2,f");
    expectSameOutputs("vgg11s", DatasetKind::FashionMnist, QuantizerKind::Hwgq, "8,1/2,1/2,2,4/3,1/2,1/2,1/2,8");
    expectSameOutputs("vgg11s", DatasetKind::FashionMnist, QuantizerKind::Qn, "8,1/2,2,3,2/f,5,4/3,2,8");
    expectSameOutputs("vgg11s", DatasetKind::FashionMnist, QuantizerKind::QnPowerOfTwo, "8,2,3,4,2,3,4,2,8");
}

TEST(TorchScriptExport, Resnet20MatchesTheSimulation)
{
    const std::string bits = "8,6,6,6,6,6,6,5,5,5,5,5,5,5,4,4,4,4,4,4,4,8";
    expectSameOutputs("resnet20", DatasetKind::Cifar10, QuantizerKind::DSConv, bits);
    expectSameOutputs("resnet20", DatasetKind::Cifar10, QuantizerKind::Uniform, bits);
    expectSameOutputs("resnet20", DatasetKind::Cifar10, QuantizerKind::Hwgq, bits);
}

TEST(TorchScriptExport, GooglenetSmallMatchesTheSimulation)
{
    const std::string bits = "8,6,6,6,5,5,5,5,5,5,5,5,5,5,4,4,4,4,4,4,4,4,4,4,4,4,3,3,3,8";
    expectSameOutputs("googlenet-s", DatasetKind::FashionMnist, QuantizerKind::DSConv, bits);
    expectSameOutputs("googlenet-s", DatasetKind::FashionMnist, QuantizerKind::Uniform, bits);
}

} // namespace
} // namespace quantscope
