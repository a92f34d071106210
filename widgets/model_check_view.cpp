#include "model_check_view.h"

#include "plot_export.h"
#include "task_choices.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace quantscope {

ModelCheckView::ModelCheckView(QWidget* parent) :
    QWidget(parent), task_(new QComboBox(this)), plot_(new QCustomPlot(this)), summary_(new QLabel(this))
{
    task_->setToolTip(tr("Task whose trials are checked"));
    connect(task_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    summary_->setWordWrap(true);
    plot_->xAxis->setLabel(tr("measured top-1 (%)"));
    plot_->yAxis->setLabel(tr("predicted without the trial (%)"));
    addPlotExportMenu(*plot_, [this] { return csv(); });
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Task:"), this));
    top->addWidget(task_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(plot_, 1);
    layout->addWidget(summary_);
}

void ModelCheckView::setStudy(const StoredStudy& study)
{
    const QSignalBlocker block(task_);
    setTaskChoices(*task_, study.spec);
    checks_.clear();
    rebuild();
}

void ModelCheckView::setData(const StudyResults& results)
{
    checks_ = results.checks;
    rebuild();
}

void ModelCheckView::setTask(int task)
{
    task_->setCurrentIndex(task);
}

QString ModelCheckView::summary() const
{
    return summary_->text();
}

QString ModelCheckView::csv() const
{
    QString out = QStringLiteral("config,measured,predicted,lower95,upper95\n");
    for (const LeaveOneOutCheck& c : shown_)
        out += QStringLiteral("\"%1\",%2,%3,%4,%5\n")
                   .arg(QString::fromStdString(c.bits.toString()))
                   .arg(c.measured, 0, 'f', 3)
                   .arg(c.predicted.median, 0, 'f', 3)
                   .arg(c.predicted.lower, 0, 'f', 3)
                   .arg(c.predicted.upper, 0, 'f', 3);
    return out;
}

void ModelCheckView::rebuild()
{
    const int task = task_->currentIndex();
    shown_.clear();
    for (const LeaveOneOutCheck& c : checks_)
        if (c.task == task)
            shown_.push_back(c);
    plot_->clearPlottables();
    QVector<double> x, y, below, above;
    double squared = 0, inside = 0;
    for (const LeaveOneOutCheck& c : shown_) {
        x.push_back(c.measured);
        y.push_back(c.predicted.median);
        below.push_back(c.predicted.median - c.predicted.lower);
        above.push_back(c.predicted.upper - c.predicted.median);
        squared += (c.predicted.median - c.measured) * (c.predicted.median - c.measured);
        inside += c.measured >= c.predicted.lower && c.measured <= c.predicted.upper;
    }
    auto* points = plot_->addGraph();
    points->setData(x, y);
    points->setLineStyle(QCPGraph::lsNone);
    points->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(31, 119, 180), 6));
    auto* bars = new QCPErrorBars(plot_->xAxis, plot_->yAxis);
    bars->setDataPlottable(points);
    bars->setData(below, above);
    bars->setPen(QPen(QColor(31, 119, 180, 140)));
    double lo = 100, hi = 0;
    for (const LeaveOneOutCheck& c : shown_) {
        lo = std::min({lo, c.measured, c.predicted.lower});
        hi = std::max({hi, c.measured, c.predicted.upper});
    }
    if (shown_.empty()) {
        lo = 0;
        hi = 100;
    }
    const double margin = std::max(0.5, 0.05 * (hi - lo));
    auto* diagonal = plot_->addGraph();
    diagonal->setData(QVector<double>{lo - margin, hi + margin}, QVector<double>{lo - margin, hi + margin});
    diagonal->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    plot_->xAxis->setRange(lo - margin, hi + margin);
    plot_->yAxis->setRange(lo - margin, hi + margin);
    plot_->replot(QCustomPlot::rpQueuedRefresh);

    const int n = int(shown_.size());
    if (n < kMinimumTrials)
        summary_->setText(tr("%n trial(s) of this task: the check needs %1.", nullptr, n).arg(kMinimumTrials));
    else
        summary_->setText(tr("%1 trials of this task, each predicted by the model fitted to the others: "
                             "%2 % inside their 95 % interval, RMSE %3 points.")
                              .arg(n)
                              .arg(100.0 * inside / n, 0, 'f', 0)
                              .arg(std::sqrt(squared / n), 0, 'f', 2));
}

} // namespace quantscope
