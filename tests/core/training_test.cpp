#include "common/error.h"
#include "model/network.h"
#include "model/network_backend.h"
#include "model/zoo.h"
#include "quant/quantizer.h"
#include "synthetic_images.h"
#include "train/batches.h"
#include "train/quantized_evaluation.h"
#include "train/trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace quantscope {
namespace {

class Training : public ::testing::Test {
protected:
    void SetUp() override
    {
        torch::set_num_threads(1); // bitwise-reproducible reductions
        trainSet_ = test::syntheticImages(20, 1);
        evalSet_ = test::syntheticImages(10, 2);
    }

    Network fresh() const { return Network::create(zooSpec("vgg11s", DatasetKind::FashionMnist), 3); }

    TrainOptions shortRun() const
    {
        TrainOptions options;
        options.steps = 40;
        options.batchSize = 32;
        options.learningRate = 0.05;
        options.seed = 11;
        return options;
    }

    ImageSet trainSet_;
    ImageSet evalSet_;
    Augmentation augmentation_{2, false};
};

TEST_F(Training, LearnsTheToyTaskAndReportsProgress)
{
    Network network = fresh();
    const double before = evaluateAccuracy(network, evalSet_);
    int64_t lastStep = 0;
    WorkControl control;
    control.progress = [&](const Progress& p) { lastStep = p.done; };
    const TrainReport report = train(network, trainSet_, augmentation_, shortRun(), control);
    EXPECT_EQ(report.steps, 40);
    EXPECT_EQ(lastStep, 40);
    const double after = evaluateAccuracy(network, evalSet_);
    EXPECT_GT(after, 80.0);
    EXPECT_GT(after, before + 30.0);
}

TEST_F(Training, SameSeedGivesIdenticalWeights)
{
    Network a = fresh();
    Network b = fresh();
    TrainOptions options = shortRun();
    options.steps = 5;
    train(a, trainSet_, augmentation_, options);
    train(b, trainSet_, augmentation_, options);
    const auto pa = a.backend().parameters();
    const auto pb = b.backend().parameters();
    for (size_t i = 0; i < pa.size(); ++i)
        EXPECT_TRUE(torch::equal(pa[i], pb[i]));
}

TEST_F(Training, CancelStopsBetweenSteps)
{
    Network network = fresh();
    CancelToken token;
    WorkControl control;
    control.cancel = &token;
    int64_t steps = 0;
    control.progress = [&](const Progress& p) {
        steps = p.done;
        if (p.done == 3)
            token.cancel();
    };
    EXPECT_THROW(train(network, trainSet_, augmentation_, shortRun(), control), Cancelled);
    EXPECT_EQ(steps, 3);
}

TEST_F(Training, RejectsDataThatDoesNotFit)
{
    Network network = fresh();
    ImageSet wrong = trainSet_;
    wrong.channels = 3;
    wrong.height = wrong.width = 16; // same bytes, other shape
    EXPECT_THROW(train(network, wrong, augmentation_, shortRun()), ModelError);
    EXPECT_THROW(evaluateAccuracy(network, ImageSet{}), ConfigError);
}

TEST_F(Training, QuantizedEvaluationLeavesTheBaseUntouched)
{
    Network base = fresh();
    train(base, trainSet_, augmentation_, shortRun());
    const double floatAccuracy = evaluateAccuracy(base, evalSet_);
    const EvaluationData data{trainSet_, augmentation_, trainSet_, evalSet_};

    EvaluationRequest request;
    request.bits = BitConfig::uniform(0, base.layers().size());
    EXPECT_DOUBLE_EQ(evaluateConfiguration(base, data, request).accuracy, floatAccuracy);

    for (QuantizerKind kind : {QuantizerKind::DSConv, QuantizerKind::Uniform}) {
        request.quant.quantizer = kind;
        request.bits = BitConfig::uniform(8, base.layers().size());
        const EvaluationResult eight = evaluateConfiguration(base, data, request);
        EXPECT_NEAR(eight.accuracy, floatAccuracy, 3.0) << quantizerName(kind);
        request.bits = BitConfig::uniform(1, base.layers().size());
        request.fineTune = TrainOptions::nuqFineTune(10, 1);
        request.fineTune.batchSize = 32;
        const EvaluationResult one = evaluateConfiguration(base, data, request);
        EXPECT_EQ(one.fineTuneSteps, 10);
        EXPECT_LT(one.cost.memoryMB, eight.cost.memoryMB);
        request.fineTune = TrainOptions::nuqFineTune(0);
    }
    EXPECT_DOUBLE_EQ(evaluateAccuracy(base, evalSet_), floatAccuracy);
    EXPECT_FALSE(base.backend().quantLayers().quantized());
}

// Recording several budgets in one run (AfterStep) must equal separate runs: weights after k of
// n steps with a constant learning rate are the weights of a k-step run with the same seed.
TEST_F(Training, StepsOfOneRunEqualShorterRuns)
{
    TrainOptions options = shortRun();
    options.cosineSchedule = false;
    options.steps = 6;
    Network longRun = fresh();
    std::vector<torch::Tensor> atThree;
    train(longRun, trainSet_, augmentation_, options, {}, [&](int64_t done) {
        if (done == 3) {
            evaluateAccuracy(longRun, evalSet_); // scoring on the way must not disturb training
            for (const torch::Tensor& p : longRun.backend().parameters())
                atThree.push_back(p.detach().clone());
        }
    });
    options.steps = 3;
    Network shortRun3 = fresh();
    train(shortRun3, trainSet_, augmentation_, options);
    const std::vector<torch::Tensor> expected = shortRun3.backend().parameters();
    ASSERT_EQ(atThree.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
        EXPECT_TRUE(torch::equal(atThree[i], expected[i])) << "parameter " << i;
    // ...and the long run went on from there.
    EXPECT_FALSE(torch::equal(longRun.backend().parameters().front(), expected.front()));
}

// Evaluating a quantized network keeps its quantized weights for the next evaluation; training
// must not leave the ones from before it (the optimizer's updates do not advance the weights'
// version counter). A run scoring budget 0 first once reported pre-training weights at 50 steps.
TEST_F(Training, EvaluationAfterTrainingUsesTheTrainedWeights)
{
    Network network = fresh();
    const BitConfig bits = BitConfig::uniform(2, network.layers().size());
    applyQuantization(network, bits, QuantSettings{}, trainSet_);
    const torch::Tensor input = normalise(imageRange(evalSet_, 0, evalSet_.size()), network.spec());
    const auto logits = [&](Network& n) {
        torch::NoGradGuard noGrad;
        n.backend().setTraining(false);
        const torch::Tensor out = n.backend().forward(input).clone();
        n.backend().setTraining(true);
        return out;
    };
    const torch::Tensor before = logits(network); // fills the inference cache
    train(network, trainSet_, augmentation_, shortRun());
    Network uncached = network.clone(); // the trained weights, quantized afresh with the same ranges
    QuantizableLayers& layers = uncached.backend().quantLayers();
    layers.setQuantization(makeQuantizer(QuantSettings{}.quantizer), bits.layers(), false);
    layers.setActivationRanges(network.backend().quantLayers().activationRanges());
    const torch::Tensor after = logits(network);
    EXPECT_FALSE(torch::allclose(after, before)) << "training changed nothing: the test would prove nothing";
    EXPECT_TRUE(torch::allclose(after, logits(uncached)))
        << "evaluated with the quantized weights from before training";
}

TEST_F(Training, BudgetsOfOneRunEqualSeparateEvaluations)
{
    Network base = fresh();
    train(base, trainSet_, augmentation_, shortRun());
    const EvaluationData data{trainSet_, augmentation_, trainSet_, evalSet_};
    const BitConfig bits = BitConfig::uniform(2, base.layers().size());
    const std::vector<EvaluationResult> results = evaluateAtBudgets(base, data, bits, QuantSettings{}, {0, 2, 5}, 7);
    ASSERT_EQ(results.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        EvaluationRequest request;
        request.bits = bits;
        request.fineTune = TrainOptions::nuqFineTune(std::vector<int64_t>{0, 2, 5}[i], 7);
        const EvaluationResult separate = evaluateConfiguration(base, data, request);
        EXPECT_DOUBLE_EQ(results[i].accuracy, separate.accuracy) << "budget " << i;
        EXPECT_EQ(results[i].fineTuneSteps, separate.fineTuneSteps);
        EXPECT_GT(results[i].seconds, 0);
    }
    EXPECT_THROW(evaluateAtBudgets(base, data, bits, QuantSettings{}, {5, 2}, 7), ConfigError);
}

} // namespace
} // namespace quantscope
