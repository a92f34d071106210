#pragma once

#include "train/sensitivity.h"

#include <QWidget>

class QCustomPlot;
class QLabel;
class QPushButton;

namespace quantscope {

/// Per-layer sensitivity: a heat map of layers x bits (accuracy drop with only that layer
/// quantized) and HAWQ-V2's average Hessian trace per layer as bars. "Compute" asks for the
/// (background) computation; the view only draws reports.
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

Q_SIGNALS:
    void computeRequested();

private:
    QCustomPlot* heat_;
    QCustomPlot* bars_;
    QLabel* note_;
    QPushButton* compute_;
    int cells_ = 0;
    SensitivityReport report_;
};

} // namespace quantscope
