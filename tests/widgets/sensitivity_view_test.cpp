// The sensitivity view read at a glance (issue 16): a colour scale with values, numbers on hover,
// and Hessian traces on a log axis so that one dominant layer does not flatten the rest.
#include "sensitivity_view.h"

#include <qcustomplot.h>

#include <gtest/gtest.h>

namespace quantscope {
namespace {

SensitivityReport threeLayers()
{
    SensitivityReport report;
    report.bits = {2, 3, 4, 8};
    report.floatAccuracy = 92.5;
    report.images = 2000;
    report.layers = {{"conv0", {40.0, 12.0, 2.0, 0.1}, 250.0, 5.0, {}, {}},
                     {"conv1", {8.0, 2.5, 0.5, 0.0}, 0.8, 0.05, {}, {}},
                     {"fc", {1.5, 0.4, 0.1, 0.0}, 0.02, 0.001, {}, {}}};
    return report;
}

TEST(SensitivityView, ShowsScaleLogTracesAndNumbersOnHover)
{
    SensitivityView view;
    view.resize(360, 600);
    view.show();
    view.setReport(threeLayers());
    view.heatPlot()->replot();
    view.barPlot()->replot();
    EXPECT_EQ(view.cellCount(), 12);
    EXPECT_EQ(view.barPlot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
    // Every trace inside the axis, the smallest well above its lower end.
    EXPECT_LT(view.barPlot()->xAxis->range().lower, 0.02);
    EXPECT_GT(view.barPlot()->xAxis->range().upper, 250.0);
    const auto heatPixel = [&](double bitIndex, double layer) {
        return QPointF(view.heatPlot()->xAxis->coordToPixel(bitIndex), view.heatPlot()->yAxis->coordToPixel(layer));
    };
    EXPECT_EQ(view.heatHoverText(heatPixel(1, 0)).toStdString(), "conv0 at 3 bits: top-1 drops 12.00 points");
    EXPECT_TRUE(view.heatHoverText(heatPixel(9, 9)).isEmpty());
    const QPointF bar(view.barPlot()->xAxis->coordToPixel(0.01), view.barPlot()->yAxis->coordToPixel(2));
    EXPECT_TRUE(view.barHoverText(bar).startsWith(QStringLiteral("fc: average Hessian trace 0.02")))
        << view.barHoverText(bar).toStdString();
    // Short bit labels: at the network dock's width "2-bit3-bit" ran together.
    for (const QString& label : view.heatPlot()->xAxis->tickVectorLabels())
        EXPECT_LE(label.size(), 2) << label.toStdString();

    view.clear(QStringLiteral("none"));
    EXPECT_EQ(view.cellCount(), 0);
    EXPECT_EQ(view.barPlot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
}

} // namespace
} // namespace quantscope
