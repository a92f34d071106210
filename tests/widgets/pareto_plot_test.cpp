// The Pareto view read at a glance (issue 16): tick labels that tell a narrow range apart, no
// baseline drawn before it has a value, measured and predicted baselines told apart, hover details.
#include "pareto_plot.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QSet>

#include <gtest/gtest.h>

namespace quantscope {
namespace {

TrialRow doneTrial(int64_t id, int bits, double accuracy, double memoryMB)
{
    TrialRow t;
    t.id = id;
    t.bits = BitConfig::uniform(bits, 3);
    t.task = 1;
    t.status = TrialStatus::Done;
    t.accuracy = accuracy;
    t.memoryMB = memoryMB;
    t.bops = memoryMB * 1e9;
    return t;
}

ResultPoint baseline(int bits, double memoryMB, std::optional<double> measured, std::optional<double> predicted)
{
    ResultPoint p;
    p.bits = BitConfig::uniform(bits, 3);
    p.memoryMB = memoryMB;
    p.observed = measured.has_value();
    p.predicted = predicted;
    p.accuracy = measured ? *measured : predicted.value_or(0);
    return p;
}

ResultPoint baselineOf(const TrialRow& t)
{
    ResultPoint p;
    p.bits = t.bits;
    p.memoryMB = *t.memoryMB;
    p.accuracy = *t.accuracy;
    p.observed = true;
    return p;
}

TEST(ParetoPlot, TickLabelsTellANarrowRangeApart)
{
    ParetoPlot pareto;
    pareto.resize(600, 450);
    StudyResults results;
    results.targetTask = 1;
    // Posterior medians that differ in the fifth decimal (six significant digits printed one
    // number on every tick).
    pareto.setData({doneTrial(1, 8, 92.54900, 0.5), doneTrial(2, 6, 92.54902, 0.4), doneTrial(3, 4, 92.54905, 0.3)},
                   results);
    pareto.plot()->replot();
    const QVector<QString> labels = pareto.plot()->yAxis->tickVectorLabels();
    ASSERT_GE(labels.size(), 3);
    EXPECT_EQ(QSet<QString>(labels.begin(), labels.end()).size(), labels.size())
        << labels.join(QLatin1Char(' ')).toStdString();
}

TEST(ParetoPlot, DrawsOnlyBaselinesWithAValueAndSaysWhichAreMeasured)
{
    ParetoPlot pareto;
    pareto.resize(600, 450);
    StudyResults results;
    results.targetTask = 1;
    results.baselines = {baseline(8, 0.5, 92.1, std::nullopt), baseline(4, 0.25, std::nullopt, 90.3),
                         baseline(2, 0.125, std::nullopt, std::nullopt)};
    results.baselines[1].lower = 84.0;
    results.baselines[1].upper = 93.5;
    ResultPoint predicted = baseline(5, 0.3, std::nullopt, 93.0);
    predicted.lower = 60.0; // an uncertain prediction: its interval reaches far below the points
    predicted.upper = 99.0;
    results.predictedFront = {predicted};
    pareto.setData({doneTrial(1, 6, 91.5, 0.4)}, results);
    pareto.plot()->replot();
    EXPECT_EQ(pareto.csv().count(QStringLiteral("uniform baseline")), 2);
    EXPECT_GT(pareto.plot()->yAxis->range().lower, 80); // nothing at 0, and intervals do not set the range
    EXPECT_LT(pareto.plot()->yAxis->range().upper, 95); // nor do single points (the one trial here)
    EXPECT_LT(pareto.plot()->xAxis->range().upper, 0.6);
    const auto pixel = [&](double memory, double accuracy) {
        return QPointF(pareto.plot()->xAxis->coordToPixel(memory), pareto.plot()->yAxis->coordToPixel(accuracy));
    };
    EXPECT_TRUE(pareto.hoverText(pixel(0.5, 92.1)).contains(QStringLiteral("(measured)")));
    EXPECT_TRUE(pareto.hoverText(pixel(0.25, 90.3)).contains(QStringLiteral("not measured")));
    EXPECT_TRUE(pareto.hoverText(pixel(0.25, 90.3)).contains(QStringLiteral("95 % interval [84.00, 93.50]")));
    EXPECT_TRUE(pareto.hoverText(pixel(0.3, 93.0)).contains(QStringLiteral("95 % interval [60.00, 99.00]")))
        << pareto.hoverText(pixel(0.3, 93.0)).toStdString();
    const QString trial = pareto.hoverText(pixel(0.4, 91.5));
    EXPECT_TRUE(trial.contains(QStringLiteral("trial 1"))) << trial.toStdString();
    EXPECT_TRUE(trial.contains(QStringLiteral("6,6,6"))) << trial.toStdString();
    EXPECT_TRUE(trial.contains(QStringLiteral("91.50 %"))) << trial.toStdString();
    EXPECT_TRUE(trial.contains(QStringLiteral("0.4000 MB"))) << trial.toStdString();
}

TEST(ParetoPlot, LatencyAxisIsAskedForThenDrawnWithItsOwnFront)
{
    ParetoPlot pareto;
    pareto.resize(600, 450);
    StudyResults results;
    results.targetTask = 1;
    // Memory favours fewer bits; this latency is lowest at 6 bits, so the fronts differ.
    results.observedFront = {baselineOf(doneTrial(1, 8, 92.0, 0.5)), baselineOf(doneTrial(3, 4, 88.0, 0.3))};
    pareto.setData({doneTrial(1, 8, 92.0, 0.5), doneTrial(2, 6, 90.0, 0.4), doneTrial(3, 4, 88.0, 0.3)}, results);
    int requests = 0;
    QObject::connect(&pareto, &ParetoPlot::latencyRequested, [&requests] { ++requests; });
    pareto.setAxis(ParetoPlot::Axis::Latency); // no table yet: nothing changes
    EXPECT_EQ(pareto.axis(), ParetoPlot::Axis::Memory);
    auto* chooser = pareto.findChild<QComboBox*>();
    ASSERT_NE(chooser, nullptr);
    chooser->setCurrentIndex(2); // the user picks Latency: it is asked for, the axis stays
    EXPECT_EQ(requests, 1);
    EXPECT_EQ(pareto.axis(), ParetoPlot::Axis::Memory);

    pareto.setLatency([](const BitConfig& bits) { return bits[0].weight == 6 ? 0.1 : 0.2 + 0.01 * bits[0].weight; },
                      QStringLiteral("test CPU"));
    pareto.setAxis(ParetoPlot::Axis::Latency);
    EXPECT_EQ(pareto.axis(), ParetoPlot::Axis::Latency);
    EXPECT_TRUE(pareto.csv().startsWith(QStringLiteral("series,config,latency_ms_per_image,top1")));
    EXPECT_TRUE(pareto.csv().contains(QStringLiteral("\"6,6,6\",0.1,90")));
    // On latency 6 bits dominates 4 bits (faster and better): the front is 6 and 8 bits.
    EXPECT_EQ(pareto.frontCount(), 2);
    EXPECT_TRUE(pareto.plot()->xAxis->label().contains(QStringLiteral("test CPU")));
}

} // namespace
} // namespace quantscope
