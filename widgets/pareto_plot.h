#pragma once

#include "study/study_results.h"
#include "study/study_store.h"

#include <QWidget>

#include <functional>
#include <optional>

class QComboBox;
class QCustomPlot;
class QCPErrorBars;
class QCPGraph;
class QTimer;

namespace quantscope {

/// Accuracy against memory, BOPs or bit-serial latency on the study's target task: trials on the observed front
/// (joined), dominated trials greyed, the GP's predicted front, and the uniform baselines (measured
/// ones filled, predicted ones hollow). The legend sits below the data. Hover shows a point's trial,
/// bits, accuracy and cost; a click emits it (to load into the what-if editor); the wheel and drag
/// zoom and pan, a double click or "Reset zoom" shows everything again.
class ParetoPlot : public QWidget {
    Q_OBJECT
public:
    enum class Axis { Memory, Bops, Latency };

    explicit ParetoPlot(QWidget* parent = nullptr);

    void setData(const std::vector<TrialRow>& trials, const StudyResults& results);
    void setAxis(Axis axis);
    /// The bit-serial engine's latency of a configuration, in ms per image (a measured
    /// bitserial::LatencyTable), for the Latency axis; until it is set, choosing that axis emits
    /// latencyRequested() and keeps the current one.
    void setLatency(std::function<double(const BitConfig&)> latencyOf, const QString& machine);
    bool hasLatency() const { return bool(latencyOf_); }
    Axis axis() const { return axis_; }
    /// Fits the axes to every point drawn (undoes zoom and pan).
    void resetZoom();
    /// What hovering over the point nearest `pixel` (plot coordinates) shows; empty if none is near.
    QString hoverText(const QPointF& pixel) const;

    int observedCount() const;  ///< target-task trials drawn (front and dominated)
    int frontCount() const;     ///< of those, on the observed front
    int predictedCount() const; ///< predicted-front points drawn
    QCustomPlot* plot() const { return plot_; }
    /// Every point drawn: series, configuration, x (memory MB, GBOPs or ms per image), top-1.
    QString csv() const;

    /// Configurations picked with Ctrl+click (shown ringed), for exporting several at once.
    const std::vector<BitConfig>& selectedConfigurations() const { return selected_; }
    /// Marks the points of `bits` (the trial selected in the table); none: no mark.
    void highlight(const std::optional<BitConfig>& bits);
    int highlightedPoints() const; ///< points marked now, for tests
    void toggleSelected(const BitConfig& bits);

Q_SIGNALS:
    void configurationClicked(const quantscope::BitConfig& bits);
    /// "Export selected configurations" from the right-click menu.
    void exportRequested(const std::vector<quantscope::BitConfig>& configs);
    /// The Latency axis was chosen before its table was measured.
    void latencyRequested();

private:
    struct Point {
        double x, y;
        BitConfig bits;
        QString series;
        bool predicted;    ///< a GP median, not a measurement (said in the tooltip)
        int64_t trial = 0; ///< the measured trial, 0 for predictions and baselines
        double memoryMB = 0, bops = 0;
        std::optional<double> lower, upper; ///< a prediction's 95 % interval
    };
    void rebuild();
    void drawHighlight();
    void scheduleReplot();
    double xOf(double memoryMB, double bops, const BitConfig& bits) const;
    const Point* nearest(const QPointF& pixel) const;

    QCustomPlot* plot_;
    QComboBox* axisChooser_;
    std::function<double(const BitConfig&)> latencyOf_;
    QString latencyMachine_;
    QTimer* replotTimer_;
    QCPGraph* dominated_;
    QCPGraph* front_;
    QCPGraph* predicted_;
    QCPGraph* baselines_;
    QCPGraph* predictedBaselines_;
    QCPGraph* selectedGraph_;
    QCPGraph* highlightGraph_;
    QCPErrorBars* predictedIntervals_; ///< the predicted front's 95 % intervals
    std::optional<BitConfig> highlighted_;
    std::vector<BitConfig> selected_;
    Axis axis_ = Axis::Memory;
    std::vector<TrialRow> trials_;
    StudyResults results_;
    std::vector<Point> points_; ///< everything drawn, for hover and click
    int observed_ = 0, front_count_ = 0, predicted_count_ = 0;
};

} // namespace quantscope
