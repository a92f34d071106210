// The shipped model on the real Fashion-MNIST (Debian's dataset-fashion-mnist): the figures the
// README reports, checked.
#include "data/dataset.h"
#include "model/default_model.h"
#include "model/network.h"
#include "train/quantized_evaluation.h"
#include "train/trainer.h"

#include <gtest/gtest.h>

namespace quantscope {
namespace {

class DefaultModel : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        network_ = new Network(Network::load(defaultModelPath()));
        dataset_ = new Dataset(loadDataset(DatasetKind::FashionMnist));
        splits_ = new DataSplits(splitDataset(*dataset_));
    }
    static void TearDownTestSuite()
    {
        delete splits_;
        delete dataset_;
        delete network_;
    }

    static double quantizedAccuracy(const std::string& bits)
    {
        EvaluationRequest request;
        request.bits = BitConfig::parse(bits, network_->layerNames());
        return evaluateConfiguration(*network_, EvaluationData{splits_->train, dataset_->augmentation, splits_->search},
                                     request)
            .accuracy;
    }

    static Network* network_;
    static Dataset* dataset_;
    static DataSplits* splits_;
};

Network* DefaultModel::network_ = nullptr;
Dataset* DefaultModel::dataset_ = nullptr;
DataSplits* DefaultModel::splits_ = nullptr;

TEST_F(DefaultModel, FloatAccuracyOnHoldoutIsAtLeast90)
{
    EXPECT_EQ(network_->spec().architecture, "vgg11s");
    EXPECT_GE(evaluateAccuracy(*network_, splits_->holdout), 90.0);
}

TEST_F(DefaultModel, EightBitDsconvIsWithinHalfAPointAndTwoBitIsClearlyLower)
{
    const double floatAccuracy = evaluateAccuracy(*network_, splits_->search);
    const double eight = quantizedAccuracy("8");
    const double two = quantizedAccuracy("2");
    EXPECT_NEAR(eight, floatAccuracy, 0.5);
    EXPECT_LT(two, floatAccuracy - 5.0);
}

} // namespace
} // namespace quantscope
