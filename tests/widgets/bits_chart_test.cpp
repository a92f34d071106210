// The what-if editor's bits-over-depth chart (issue 16): pressing or dragging on a layer's row sets
// its bits, as one undoable edit per layer, and the bars follow the spin boxes.
#include "bits_chart.h"
#include "what_if_editor.h"

#include "study/synthetic_trial_evaluator.h"

#include <qcustomplot.h>

#include <QTest>
#include <QUndoStack>

#include <gtest/gtest.h>

namespace quantscope {
namespace {

TEST(BitsChart, DraggingABarSetsThatLayersBits)
{
    StoredStudy study;
    study.spec = StudySpec::synthetic();
    study.layers = SyntheticTrialEvaluator(study.spec).layers();
    WhatIfEditor editor;
    editor.setStudy(study);
    editor.resize(520, 420);
    editor.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&editor));
    QCustomPlot* plot = editor.chart()->plot();
    plot->replot();
    const auto at = [&](double bits, double layer) {
        return QPoint(int(plot->xAxis->coordToPixel(bits)), int(plot->yAxis->coordToPixel(layer)));
    };
    QTest::mousePress(plot, Qt::LeftButton, {}, at(3, 1));
    EXPECT_EQ(editor.configuration()[1].weight, 3);
    EXPECT_EQ(editor.configuration()[0].weight, 8);
    QTest::mouseRelease(plot, Qt::LeftButton, {}, at(3, 1));
    QTest::mousePress(plot, Qt::LeftButton, {}, at(9, 4)); // past 8: float
    EXPECT_EQ(editor.configuration()[4].weight, 0);
    QTest::mouseRelease(plot, Qt::LeftButton, {}, at(9, 4));
    editor.undoStack()->undo();
    EXPECT_EQ(editor.configuration()[4].weight, 8);
    editor.undoStack()->undo();
    EXPECT_EQ(editor.configuration()[1].weight, 8);
    EXPECT_EQ(editor.chart()->target(at(2, 20)).first, -1); // below the last layer: nothing
}

} // namespace
} // namespace quantscope
