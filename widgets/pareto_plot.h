#pragma once

#include "study/study_results.h"
#include "study/study_store.h"

#include <QWidget>

class QComboBox;
class QCustomPlot;
class QCPGraph;
class QTimer;

namespace quantscope {

/// Accuracy against memory or BOPs on the study's target task: trials on the observed front
/// (joined), dominated trials greyed, the GP's predicted front, and the uniform baselines. Hover
/// shows a point's configuration; a click emits it (to load into the what-if editor).
class ParetoPlot : public QWidget {
    Q_OBJECT
public:
    enum class Axis { Memory, Bops };

    explicit ParetoPlot(QWidget* parent = nullptr);

    void setData(const std::vector<TrialRow>& trials, const StudyResults& results);
    void setAxis(Axis axis);
    Axis axis() const { return axis_; }

    int observedCount() const;  ///< target-task trials drawn (front and dominated)
    int frontCount() const;     ///< of those, on the observed front
    int predictedCount() const; ///< predicted-front points drawn
    QCustomPlot* plot() const { return plot_; }
    /// Every point drawn: series, configuration, x (memory MB or GBOPs), top-1.
    QString csv() const;

    /// Configurations picked with Ctrl+click (shown ringed), for exporting several at once.
    const std::vector<BitConfig>& selectedConfigurations() const { return selected_; }
    void toggleSelected(const BitConfig& bits);

Q_SIGNALS:
    void configurationClicked(const quantscope::BitConfig& bits);
    /// "Export selected configurations" from the right-click menu.
    void exportRequested(const std::vector<quantscope::BitConfig>& configs);

private:
    struct Point {
        double x, y;
        BitConfig bits;
        QString series;
        bool predicted; ///< a GP median, not a measurement (said in the tooltip)
    };
    void rebuild();
    void scheduleReplot();
    double xOf(double memoryMB, double bops) const;
    const Point* nearest(const QPointF& pixel) const;

    QCustomPlot* plot_;
    QComboBox* axisChooser_;
    QTimer* replotTimer_;
    QCPGraph* dominated_;
    QCPGraph* front_;
    QCPGraph* predicted_;
    QCPGraph* baselines_;
    QCPGraph* selectedGraph_;
    std::vector<BitConfig> selected_;
    Axis axis_ = Axis::Memory;
    std::vector<TrialRow> trials_;
    StudyResults results_;
    std::vector<Point> points_; ///< everything drawn, for hover and click
    int observed_ = 0, front_count_ = 0, predicted_count_ = 0;
};

} // namespace quantscope
