// The bit-serial engine executes what the uniform quantizer simulates: on the shipped model and
// real Fashion-MNIST test images, its logits equal the simulation's up to float rounding (and the
// rare code a rounding moves by one) and its top-1 agrees on every image, on every kernel path
// this CPU runs.
#include "bitserial/bitserial_network.h"
#include "bitserial/engine_evaluation.h"
#include "bitserial/max_pool.h"
#include "common/error.h"
#include "data/dataset.h"
#include "export/quantized_snapshot.h"
#include "model/default_model.h"
#include "model/network_backend.h"
#include "shipped_model_suite.h"
#include "train/batches.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace quantscope::bitserial {
namespace {

struct EngineCase {
    const char* name;
    const char* bits;
    const char* model;       ///< empty: the shipped model; else an imported TorchScript file in tests/data
    bool quantizeImageInput; ///< a signed input, so two's complement activations
    bool everyPath;          ///< the portable path is slow at 8 bits: one configuration is enough there
};

void PrintTo(const EngineCase& c, std::ostream* out)
{
    *out << c.name;
}

class EngineAgainstSimulation : public test::ShippedModelSuite<testing::TestWithParam<EngineCase>> {};

TEST_P(EngineAgainstSimulation, LogitsEqualTheSimulationsAndEveryPredictionAgrees)
{
    const EngineCase& c = GetParam();
    ModelSpec input;
    input.mean = {0.2860f};
    input.stddev = {0.3530f};
    std::optional<Network> imported;
    if (*c.model)
        imported.emplace(
            Network::importTorchScript(std::string(QUANTSCOPE_TEST_DATA "/torchscript/") + c.model, input));
    const Network& network = imported ? *imported : *network_;
    QuantSettings settings;
    settings.quantizer = QuantizerKind::Uniform;
    settings.policy.quantizeImageInput = c.quantizeImageInput;
    const BitConfig bits = BitConfig::parse(c.bits, network.layerNames(), settings.policy);
    const QuantizedSnapshot snapshot(network, bits, settings, splits_->calibration);
    const torch::Tensor images = normalise(imageRange(dataset_->test, 0, 96), network.spec());
    NetworkBackend& simulation = snapshot.network().backend();
    simulation.setTraining(false);
    torch::NoGradGuard noGrad;
    const torch::Tensor expected = simulation.forward(images);
    const double scale = expected.abs().max().item<double>();

    std::vector<KernelPath> paths = supportedKernelPaths();
    if (!c.everyPath)
        paths = {fastestKernelPath()};
    for (KernelPath path : paths) {
        SCOPED_TRACE(kernelPathName(path));
        BitSerialNetwork engine(snapshot, path);
        const torch::Tensor logits = engine.forward(images);
        ASSERT_EQ(logits.sizes(), expected.sizes());
        // Float rounding (the engine rescales exact integer sums and folds batch norms) can move a
        // later layer's input across a rounding boundary: one code apart. Most images stay at
        // rounding level; a few may move by such a step, never far.
        const torch::Tensor gaps = std::get<0>((logits - expected).abs().max(1));
        EXPECT_LE(gaps.max().item<double>(), 2e-2 * scale);
        EXPECT_LE(gaps.gt(1e-4 * scale).sum().item<int64_t>(), images.size(0) / 20);
        EXPECT_TRUE(logits.argmax(1).equal(expected.argmax(1)));
        for (const ExecutedLayer& layer : engine.layers()) {
            const bool floatImage = layer.name == engine.layers().front().name && !c.quantizeImageInput;
            EXPECT_EQ(layer.bitSerial, !floatImage) << layer.name << ": " << layer.fallback;
            EXPECT_GT(layer.seconds, 0.0) << layer.name;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Configurations, EngineAgainstSimulation,
                         testing::Values(EngineCase{"Mixed4To2", "8,4,3,2,2,3,4,4,8", "", false, true},
                                         EngineCase{"BinaryWeightsSignedImage", "1", "", true, true},
                                         EngineCase{"Eight", "8", "", false, false},
                                         EngineCase{"ImportedResidual", "8,4,3,3,3,2,8", "residual.pt", false, true},
                                         EngineCase{"ImportedDepthwise", "3", "depthwise.pt", true, true}),
                         [](const testing::TestParamInfo<EngineCase>& info) { return info.param.name; });

TEST(BitSerialNetwork, RefusesQuantizersWithoutAnIntegerForm)
{
    const Network network = Network::load(defaultModelPath());
    const Dataset dataset = loadDataset(DatasetKind::FashionMnist);
    const DataSplits splits = splitDataset(dataset);
    EvaluationRequest request;
    request.bits = BitConfig::uniform(4, network.layers().size());
    request.quant.quantizer = QuantizerKind::DSConv;
    try {
        evaluateOnBitSerialEngine(network, EvaluationData::of(splits, splits.search), request, EngineOptions{});
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("dsconv has no integer form"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace quantscope::bitserial

namespace quantscope::bitserial {
namespace {

TEST(EngineMaxPool, EqualsLibTorchsForWindowsStridesAndPadding)
{
    torch::manual_seed(0);
    const torch::Tensor x = torch::randn({2, 3, 9, 11});
    for (const PoolWindow& window :
         {PoolWindow{2, 2, 0}, PoolWindow{3, 2, 1}, PoolWindow{3, 1, 1}, PoolWindow{2, 1, 0}, PoolWindow{3, 3, 0}}) {
        const torch::Tensor expected = torch::max_pool2d(x, window.kernel, window.stride, window.padding);
        torch::Tensor out = torch::empty_like(expected);
        maxPool2d(x.data_ptr<float>(), 9, 11, window, out.data_ptr<float>(), 0, 6);
        EXPECT_TRUE(out.equal(expected)) << window.kernel << "/" << window.stride << "/" << window.padding;
    }
}

TEST(EngineThreads, KernelsRunOnEveryLibTorchThread)
{
    // at::parallel_for opens its OpenMP region in the caller's file: built without -fopenmp there,
    // the engine's kernels ran on one thread at any --threads.
    const int before = at::get_num_threads();
    torch::set_num_threads(2);
    std::mutex mutex;
    std::set<std::thread::id> threads;
    onLibTorchThreads(64, [&](int, int) {
        const std::lock_guard<std::mutex> lock(mutex);
        threads.insert(std::this_thread::get_id());
    });
    torch::set_num_threads(before);
    EXPECT_EQ(threads.size(), 2u);
}

} // namespace
} // namespace quantscope::bitserial
