#pragma once

#include "train/sensitivity.h"

#include <QWidget>

class QCPColorScale;
class QCustomPlot;
class QLabel;
class QPushButton;

namespace quantscope {

/// Per-layer sensitivity: a heat map of layers x bits (accuracy drop with only that layer
/// quantized) with its colour scale, and HAWQ-V2's average Hessian trace per layer as bars on a
/// log axis (one layer's trace can be orders above the rest). Hover shows a cell's or bar's number.
/// "Compute" asks for the (background) computation; the view only draws reports.
class SensitivityView : public QWidget {
    Q_OBJECT
public:
    explicit SensitivityView(QWidget* parent = nullptr);

    void setReport(const SensitivityReport& report);
    void clear(const QString& why);
    void setComputing(bool computing);
    /// Cells drawn in the heat map (layers x bits), for tests.
    int cellCount() const { return cells_; }
    /// The report as CSV: layer, accuracy drop per bit width, average Hessian trace.
    QString csv() const;
    /// What hovering at `pixel` over the heat map (or the bars) shows; empty away from the data.
    QString heatHoverText(const QPointF& pixel) const;
    QString barHoverText(const QPointF& pixel) const;
    QCustomPlot* heatPlot() const { return heat_; }
    QCustomPlot* barPlot() const { return bars_; }

Q_SIGNALS:
    void computeRequested();

private:
    QCustomPlot* heat_;
    QCustomPlot* bars_;
    QCPColorScale* scale_;
    QLabel* note_;
    QPushButton* compute_;
    int cells_ = 0;
    SensitivityReport report_;
};

} // namespace quantscope
