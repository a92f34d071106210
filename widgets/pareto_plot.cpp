#include "pareto_plot.h"

#include "plot_export.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include <set>

namespace quantscope {
namespace {

QCPGraph* scatter(QCustomPlot* plot, const QString& name, const QColor& color, QCPScatterStyle::ScatterShape shape,
                  bool line)
{
    QCPGraph* graph = plot->addGraph();
    graph->setName(name);
    graph->setPen(line ? QPen(color, 1.5) : QPen(color));
    graph->setLineStyle(line ? QCPGraph::lsStepLeft : QCPGraph::lsNone);
    graph->setScatterStyle(
        QCPScatterStyle(shape, color, shape == QCPScatterStyle::ssCircle && !line ? color : Qt::white, 7));
    return graph;
}

} // namespace

ParetoPlot::ParetoPlot(QWidget* parent) :
    QWidget(parent), plot_(new QCustomPlot(this)), axisChooser_(new QComboBox(this)), replotTimer_(new QTimer(this))
{
    axisChooser_->addItem(tr("Memory (MB)"));
    axisChooser_->addItem(tr("BOPs (G)"));
    axisChooser_->setToolTip(tr("Cost axis of the front"));
    connect(axisChooser_, &QComboBox::currentIndexChanged, this,
            [this](int index) { setAxis(index == 0 ? Axis::Memory : Axis::Bops); });
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Against:"), this));
    top->addWidget(axisChooser_);
    top->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(plot_, 1);

    dominated_ = scatter(plot_, tr("dominated trials"), QColor(170, 170, 170), QCPScatterStyle::ssCircle, false);
    front_ = scatter(plot_, tr("observed front"), QColor(31, 119, 180), QCPScatterStyle::ssCircle, true);
    predicted_ =
        scatter(plot_, tr("predicted front (GP median)"), QColor(255, 127, 14), QCPScatterStyle::ssTriangle, false);
    baselines_ = scatter(plot_, tr("uniform 8/4/3/2 bits"), QColor(214, 39, 40), QCPScatterStyle::ssDiamond, false);
    selectedGraph_ = plot_->addGraph();
    selectedGraph_->setName(tr("selected (Ctrl+click)"));
    selectedGraph_->setLineStyle(QCPGraph::lsNone);
    selectedGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 2), Qt::NoBrush, 13));
    plot_->yAxis->setLabel(tr("Top-1 accuracy (%)"));
    plot_->legend->setVisible(true);
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setMouseTracking(true);
    connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        const Point* p = nearest(event->position());
        if (p)
            QToolTip::showText(
                event->globalPosition().toPoint(),
                tr("%1%2\n%3 %, %4")
                    .arg(QString::fromStdString(p->bits.toString()), p->predicted ? tr(" (predicted)") : QString())
                    .arg(p->y, 0, 'f', 2)
                    .arg(p->x, 0, 'g', 4),
                plot_);
    });
    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        const Point* p = nearest(event->position());
        if (!p || event->button() != Qt::LeftButton)
            return;
        if (event->modifiers() & Qt::ControlModifier)
            toggleSelected(p->bits);
        else
            Q_EMIT configurationClicked(p->bits);
    });
    addPlotExportMenu(
        *plot_, [this] { return csv(); },
        [this](QMenu& menu) {
            QAction* action = menu.addAction(tr("Export Selected Configurations..."), this,
                                             [this] { Q_EMIT exportRequested(selected_); });
            action->setEnabled(!selected_.empty());
        });
    replotTimer_->setSingleShot(true);
    replotTimer_->setInterval(40);
    connect(replotTimer_, &QTimer::timeout, this, [this] { plot_->replot(QCustomPlot::rpQueuedRefresh); });
    rebuild();
}

void ParetoPlot::setData(const std::vector<TrialRow>& trials, const StudyResults& results)
{
    trials_ = trials;
    results_ = results;
    rebuild();
}

void ParetoPlot::toggleSelected(const BitConfig& bits)
{
    const auto found = std::find(selected_.begin(), selected_.end(), bits);
    if (found != selected_.end())
        selected_.erase(found);
    else
        selected_.push_back(bits);
    rebuild();
}

void ParetoPlot::setAxis(Axis axis)
{
    axis_ = axis;
    axisChooser_->setCurrentIndex(axis == Axis::Memory ? 0 : 1);
    rebuild();
}

double ParetoPlot::xOf(double memoryMB, double bops) const
{
    return axis_ == Axis::Memory ? memoryMB : bops / 1e9;
}

void ParetoPlot::rebuild()
{
    std::set<BitConfig> onFront;
    for (const ResultPoint& p : results_.observedFront)
        onFront.insert(p.bits);
    QVector<double> dx, dy, fx, fy, px, py, bx, by;
    points_.clear();
    observed_ = front_count_ = predicted_count_ = 0;
    std::set<BitConfig> frontDrawn;
    for (const TrialRow& t : trials_) {
        if (t.status != TrialStatus::Done || t.task != results_.targetTask || !t.accuracy)
            continue;
        const double x = xOf(t.memoryMB.value_or(0), t.bops.value_or(0));
        ++observed_;
        const bool front = onFront.count(t.bits) && frontDrawn.insert(t.bits).second;
        points_.push_back(
            {x, *t.accuracy, t.bits, front ? QStringLiteral("observed front") : QStringLiteral("dominated"), false});
        if (front) {
            fx.push_back(x);
            fy.push_back(*t.accuracy);
        } else {
            dx.push_back(x);
            dy.push_back(*t.accuracy);
        }
    }
    front_count_ = int(fx.size());
    for (const ResultPoint& p : results_.predictedFront) {
        px.push_back(xOf(p.memoryMB, p.bops));
        py.push_back(p.accuracy);
        points_.push_back({px.back(), py.back(), p.bits, QStringLiteral("predicted front"), true});
    }
    predicted_count_ = int(px.size());
    for (const ResultPoint& p : results_.baselines) {
        bx.push_back(xOf(p.memoryMB, p.bops));
        by.push_back(p.accuracy);
        points_.push_back({bx.back(), by.back(), p.bits, QStringLiteral("uniform baseline"), !p.observed});
    }
    QVector<double> sx, sy;
    for (const Point& p : points_) {
        if (std::find(selected_.begin(), selected_.end(), p.bits) != selected_.end()) {
            sx.push_back(p.x);
            sy.push_back(p.y);
        }
    }
    selectedGraph_->setData(sx, sy);
    dominated_->setData(dx, dy);
    front_->setData(fx, fy); // sorted by x: lsStepLeft draws the staircase of the front
    predicted_->setData(px, py);
    baselines_->setData(bx, by);
    plot_->xAxis->setLabel(axis_ == Axis::Memory ? tr("Memory (MB)") : tr("BOPs (G)"));
    plot_->rescaleAxes();
    plot_->xAxis->scaleRange(1.1);
    plot_->yAxis->scaleRange(1.1);
    scheduleReplot();
}

void ParetoPlot::scheduleReplot()
{
    if (!replotTimer_->isActive())
        replotTimer_->start();
}

const ParetoPlot::Point* ParetoPlot::nearest(const QPointF& pixel) const
{
    const Point* best = nullptr;
    double bestDistance = 8.0 * 8.0; // pixels
    for (const Point& p : points_) {
        const double dx = plot_->xAxis->coordToPixel(p.x) - pixel.x();
        const double dy = plot_->yAxis->coordToPixel(p.y) - pixel.y();
        if (dx * dx + dy * dy < bestDistance) {
            bestDistance = dx * dx + dy * dy;
            best = &p;
        }
    }
    return best;
}

QString ParetoPlot::csv() const
{
    QString out = QStringLiteral("series,config,%1,top1\n")
                      .arg(axis_ == Axis::Memory ? QStringLiteral("memory_mb") : QStringLiteral("gbops"));
    for (const Point& p : points_) {
        out += QStringLiteral("%1,\"%2\",%3,%4\n")
                   .arg(p.series, QString::fromStdString(p.bits.toString()))
                   .arg(p.x, 0, 'g', 8)
                   .arg(p.y, 0, 'f', 4);
    }
    return out;
}

int ParetoPlot::observedCount() const
{
    return observed_;
}
int ParetoPlot::frontCount() const
{
    return front_count_;
}
int ParetoPlot::predictedCount() const
{
    return predicted_count_;
}

} // namespace quantscope
