#include "layer_table_model.h"

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <QGuiApplication>

#include <gtest/gtest.h>

namespace quantscope {
namespace {

std::vector<LayerInfo> sampleLayers()
{
    LayerInfo conv;
    conv.name = "conv0";
    conv.weightShape = {16, 1, 3, 3};
    conv.weightCount = 144;
    conv.macs = 112896;
    LayerInfo fc;
    fc.name = "classifier";
    fc.kind = LayerKind::Linear;
    fc.weightShape = {10, 128};
    fc.weightCount = 1280;
    fc.biasCount = 10;
    fc.macs = 1280;
    return {conv, fc};
}

TEST(LayerTableModel, PassesModelTesterThroughResetsAndBitChanges)
{
    LayerTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setLayers(sampleLayers());
    ASSERT_EQ(model.rowCount(), 2);
    EXPECT_EQ(model.data(model.index(1, LayerTableModel::Name)).toString(), QStringLiteral("classifier"));
    EXPECT_EQ(model.data(model.index(1, LayerTableModel::Kind)).toString(), QStringLiteral("linear"));
    EXPECT_EQ(model.data(model.index(0, LayerTableModel::Shape)).toString(), QStringLiteral("16x1x3x3"));
    EXPECT_EQ(model.data(model.index(0, LayerTableModel::Bits)).toString(), QStringLiteral("float"));
    model.setBits({LayerBits{4, 4}, LayerBits{2, 8}});
    EXPECT_EQ(model.data(model.index(0, LayerTableModel::Bits)).toString(), QStringLiteral("4"));
    EXPECT_EQ(model.data(model.index(1, LayerTableModel::Bits)).toString(), QStringLiteral("2/8"));
    model.setLayers({});
    EXPECT_EQ(model.rowCount(), 0);
}

} // namespace
} // namespace quantscope
