// The shipped model on the real Fashion-MNIST (Debian's dataset-fashion-mnist): the figures the
// README reports, checked.
#include "common/error.h"
#include "data/dataset.h"
#include "model/default_model.h"
#include "model/network.h"
#include "shipped_model_suite.h"
#include "train/quantized_evaluation.h"
#include "train/trainer.h"

#include <gtest/gtest.h>

namespace quantscope {
namespace {

class DefaultModel : public test::ShippedModelSuite<::testing::Test> {
protected:
    static double quantizedAccuracy(const std::string& bits)
    {
        EvaluationRequest request;
        request.bits = BitConfig::parse(bits, network_->layerNames());
        return evaluateConfiguration(*network_, EvaluationData::of(*splits_, splits_->search), request).accuracy;
    }
};

TEST_F(DefaultModel, FloatAccuracyOnHoldoutIsAtLeast90)
{
    EXPECT_EQ(network_->spec().architecture, "vgg11s");
    EXPECT_GE(evaluateAccuracy(*network_, *splits_->holdout), 90.0);
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

#include "train/sensitivity.h"

namespace quantscope {
namespace {

TEST_F(DefaultModel, SensitivityRanksBitsAndEstimatesCurvature)
{
    SensitivityOptions options;
    options.bits = {2, 8};
    options.images = 300;
    options.hessianImages = 128;
    options.hutchinsonSamples = 4;
    const SensitivityReport report = computeSensitivity(*network_, splits_->search, splits_->calibration, options);
    ASSERT_EQ(report.layers.size(), network_->layers().size());
    double drop2 = 0, drop8 = 0;
    int positiveTraces = 0;
    for (const LayerSensitivity& l : report.layers) {
        drop2 += l.accuracyDrop[0];
        drop8 += l.accuracyDrop[1];
        EXPECT_LT(std::abs(l.accuracyDrop[1]), 1.5) << l.layer; // 8 bits barely matter
        // DSConv gives each block of 32 input channels its own scale: conv0 has one input
        // channel, so every weight keeps its exact value at any bit width.
        if (l.layer == "conv0")
            EXPECT_LT(l.perturbation[0], 1e-10);
        else
            EXPECT_GT(l.perturbation[0], l.perturbation[1]) << l.layer;
        positiveTraces += l.hessianTrace > 0;
    }
    EXPECT_GT(drop2, drop8 + 5.0);
    EXPECT_GE(positiveTraces, int(report.layers.size()) - 1); // a trained minimum curves upwards
    const SensitivityReport back = SensitivityReport::fromJson(report.toJson());
    EXPECT_EQ(back.layers.size(), report.layers.size());
    EXPECT_DOUBLE_EQ(back.layers[2].hawqMetric[0], report.layers[2].hawqMetric[0]);
}

} // namespace
} // namespace quantscope

#include "export/aimet_encodings.h"

#include <nlohmann/json.hpp>

namespace quantscope {
namespace {

TEST_F(DefaultModel, AimetEncodingsDescribeTheUniformQuantizer)
{
    QuantSettings settings;
    settings.quantizer = QuantizerKind::Uniform;
    const BitConfig bits = BitConfig::parse("8,6,6,4,4,3,3,2,f", network_->layerNames());
    const nlohmann::json j =
        nlohmann::json::parse(aimetEncodingsJson(*network_, bits, settings, splits_->calibration.head(256)));
    const auto& conv1 = j.at("param_encodings").at("conv1.weight");
    ASSERT_EQ(conv1.size(), 32u); // one encoding per output channel
    EXPECT_EQ(conv1[0].at("bitwidth").get<int>(), 6);
    EXPECT_EQ(conv1[0].at("offset").get<int>(), -32);
    EXPECT_NEAR(conv1[0].at("max").get<double>(), 31 * conv1[0].at("scale").get<double>(), 1e-12);
    EXPECT_FALSE(j.at("param_encodings").contains("classifier.weight")); // float layer
    EXPECT_FALSE(j.at("activation_encodings").contains("conv0.input"));  // the image stays 8-bit
    const auto& act = j.at("activation_encodings").at("conv7.input")[0];
    EXPECT_EQ(act.at("bitwidth").get<int>(), 2);
    EXPECT_EQ(act.at("offset").get<int>(), 0); // post-ReLU: unsigned
    settings.quantizer = QuantizerKind::DSConv;
    EXPECT_THROW(aimetEncodingsJson(*network_, bits, settings, splits_->calibration.head(256)), ConfigError);
}

} // namespace
} // namespace quantscope
