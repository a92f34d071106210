#include "common/error.h"
#include "idx_fixture.h"
#include "model/network.h"
#include "model/network_backend.h"
#include "model/zoo.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace quantscope {
namespace {

template <typename F> std::string modelErrorOf(F&& f)
{
    try {
        f();
    } catch (const ModelError& e) {
        return e.what();
    }
    return "no error";
}

torch::Tensor logits(Network& network, const torch::Tensor& input)
{
    torch::NoGradGuard noGrad;
    network.backend().setTraining(false);
    return network.backend().forward(input);
}

TEST(Network, SaveLoadRoundTripKeepsOutputsAndSpec)
{
    test::TempDir dir;
    Network network = Network::create(zooSpec("resnet20", DatasetKind::Cifar10), 5);
    network.save(dir.file("model.pt"));
    Network loaded = Network::load(dir.file("model.pt"));
    EXPECT_EQ(loaded.spec().toJson(), network.spec().toJson());
    EXPECT_EQ(loaded.layerNames(), network.layerNames());
    const torch::Tensor input = torch::randn({2, 3, 32, 32});
    EXPECT_TRUE(torch::equal(logits(loaded, input), logits(network, input)));
}

TEST(Network, CloneIsIndependent)
{
    Network network = Network::create(zooSpec("vgg11s", DatasetKind::FashionMnist), 1);
    Network copy = network.clone();
    const torch::Tensor input = torch::randn({1, 1, 28, 28});
    EXPECT_TRUE(torch::equal(logits(copy, input), logits(network, input)));
    {
        torch::NoGradGuard noGrad;
        copy.backend().parameters()[0].add_(1.0);
    }
    EXPECT_FALSE(torch::equal(logits(copy, input), logits(network, input)));
}

TEST(Network, BadModelFilesGiveMessagesNamingThem)
{
    test::TempDir dir;
    EXPECT_EQ(modelErrorOf([&] { Network::load(dir.file("absent.pt")); }),
              "model file not found: " + dir.file("absent.pt"));

    test::writeBytes(dir.file("garbage.pt"), std::vector<uint8_t>(4096, 0x5a));
    EXPECT_NE(modelErrorOf([&] {
                  Network::load(dir.file("garbage.pt"));
              }).find("cannot read model file " + dir.file("garbage.pt")),
              std::string::npos);

    Network network = Network::create(zooSpec("vgg11s", DatasetKind::FashionMnist));
    network.save(dir.file("good.pt"));
    auto bytes = test::readBytes(dir.file("good.pt"));
    bytes.resize(bytes.size() / 3);
    test::writeBytes(dir.file("truncated.pt"), bytes);
    EXPECT_NE(modelErrorOf([&] { Network::load(dir.file("truncated.pt")); }).find(dir.file("truncated.pt")),
              std::string::npos);
}

TEST(Network, InputShapeMismatchIsReported)
{
    Network network = Network::create(zooSpec("vgg11s", DatasetKind::FashionMnist));
    EXPECT_EQ(modelErrorOf([&] { network.requireInputShape(3, 32, 32, "cifar10"); }),
              "model expects 1x28x28 input but cifar10 has 3x32x32 images");
    EXPECT_NO_THROW(network.requireInputShape(1, 28, 28, "fashion-mnist"));
}

} // namespace
} // namespace quantscope
