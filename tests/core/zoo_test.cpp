#include "common/error.h"
#include "model/network.h"
#include "model/network_backend.h"
#include "model/zoo.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

namespace quantscope {
namespace {

std::set<std::string> moduleNames(Network& network)
{
    std::set<std::string> names;
    for (const auto& item : dynamic_cast<ZooBackend&>(network.backend()).module().named_modules())
        names.insert(item.key());
    return names;
}

/// Every inventoried layer is a real submodule, and the inventory covers every conv/linear weight.
void expectConsistentInventory(Network& network)
{
    const auto names = moduleNames(network);
    int64_t inventoried = 0;
    for (const LayerInfo& layer : network.layers()) {
        EXPECT_TRUE(names.count(layer.name)) << layer.name;
        EXPECT_EQ(layer.macs, layer.weightCount * layer.outputPositions);
        inventoried += layer.parameterCount();
    }
    int64_t bnParameters = 0;
    for (const auto& item : dynamic_cast<ZooBackend&>(network.backend()).module().named_modules()) {
        if (dynamic_cast<torch::nn::BatchNorm2dImpl*>(item.value().get()))
            bnParameters += 2 * item.value()->parameters()[0].numel();
    }
    EXPECT_EQ(inventoried + bnParameters, network.parameterCount());
    EXPECT_TRUE(network.layers().front().takesImage);
}

TEST(Zoo, Vgg11sHasEightConvsAndOneClassifier)
{
    Network network = Network::create(zooSpec("vgg11s", DatasetKind::FashionMnist));
    const auto& layers = network.layers();
    ASSERT_EQ(layers.size(), 9u);
    EXPECT_EQ(layers[0].name, "conv0");
    EXPECT_EQ(layers[0].weightShape, (std::vector<int64_t>{16, 1, 3, 3}));
    EXPECT_EQ(layers[0].macs, 28 * 28 * 16 * 9);      // full resolution
    EXPECT_EQ(layers[1].macs, 14 * 14 * 32 * 16 * 9); // after the first pool
    EXPECT_EQ(layers[8].name, "classifier");
    EXPECT_EQ(layers[8].kind, LayerKind::Linear);
    EXPECT_EQ(layers[8].parameterCount(), 128 * 10 + 10);
    for (size_t i = 1; i < layers.size(); ++i)
        EXPECT_FALSE(layers[i].takesImage);
    expectConsistentInventory(network);
}

TEST(Zoo, Resnet20HasNineteenConvsTwoShortcutsAndFc)
{
    Network network = Network::create(zooSpec("resnet20", DatasetKind::Cifar10));
    const auto& layers = network.layers();
    ASSERT_EQ(layers.size(), 22u);
    int shortcuts = 0;
    for (const auto& layer : layers)
        shortcuts += layer.name.find("shortcut") != std::string::npos;
    EXPECT_EQ(shortcuts, 2);
    EXPECT_EQ(layers[0].macs, 32 * 32 * 16 * 3 * 9);
    EXPECT_EQ(layers.back().name, "fc");
    EXPECT_EQ(layers.back().weightShape, (std::vector<int64_t>{10, 64}));
    expectConsistentInventory(network);
}

TEST(Zoo, GooglenetHasInceptionBranches)
{
    Network network = Network::create(zooSpec("googlenet-s", DatasetKind::FashionMnist));
    EXPECT_EQ(network.layers().size(), 30u);
    EXPECT_EQ(network.layers()[3].name, "a3.b2.3");
    EXPECT_EQ(network.layers()[3].weightShape, (std::vector<int64_t>{24, 16, 3, 3}));
    expectConsistentInventory(network);
    torch::NoGradGuard noGrad;
    EXPECT_EQ(network.backend().forward(torch::zeros({2, 1, 28, 28})).sizes(), (std::vector<int64_t>{2, 10}));
}

TEST(Zoo, UnknownArchitectureIsAnError)
{
    EXPECT_THROW(Network::create(zooSpec("alexnet", DatasetKind::FashionMnist)), ModelError);
}

} // namespace
} // namespace quantscope
