#include "pareto_plot.h"

#include "plot_export.h"

#include "search/pareto.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
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

/// Tick labels with as many decimals as the tick spacing needs, so that a narrow range (accuracies
/// differing in the third decimal) does not print one number on every tick.
void fitTickPrecision(QCPAxis* axis)
{
    const double step = axis->range().size() / std::max(1, axis->ticker()->tickCount());
    const int decimals = step > 0 ? std::clamp(int(std::ceil(-std::log10(step))) + 1, 0, 8) : 2;
    axis->setNumberFormat(QStringLiteral("f"));
    axis->setNumberPrecision(decimals);
}

} // namespace

ParetoPlot::ParetoPlot(QWidget* parent) :
    QWidget(parent), plot_(new QCustomPlot(this)), axisChooser_(new QComboBox(this)), replotTimer_(new QTimer(this))
{
    axisChooser_->addItem(tr("Memory (MB)"));
    axisChooser_->addItem(tr("BOPs (G)"));
    axisChooser_->addItem(tr("Latency (ms/image, bit-serial)"));
    axisChooser_->setToolTip(tr("Cost axis of the front. Latency: the bit-serial engine's time on this CPU, "
                                "measured per layer and bit pair (docs/bitserial.md)"));
    connect(axisChooser_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index == 2 && !latencyOf_) { // measured on request, then shown: MainWindow
            const QSignalBlocker block(axisChooser_);
            axisChooser_->setCurrentIndex(axis_ == Axis::Memory ? 0 : 1);
            Q_EMIT latencyRequested();
            return;
        }
        setAxis(index == 0 ? Axis::Memory : index == 1 ? Axis::Bops : Axis::Latency);
    });
    auto* reset = new QPushButton(tr("Reset zoom"), this);
    reset->setToolTip(tr("Show every point again (or double-click the plot)"));
    connect(reset, &QPushButton::clicked, this, &ParetoPlot::resetZoom);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Against:"), this));
    top->addWidget(axisChooser_);
    top->addStretch();
    top->addWidget(reset);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(plot_, 1);

    dominated_ = scatter(plot_, tr("dominated trials"), QColor(170, 170, 170), QCPScatterStyle::ssCircle, false);
    front_ = scatter(plot_, tr("observed front"), QColor(31, 119, 180), QCPScatterStyle::ssCircle, true);
    predicted_ =
        scatter(plot_, tr("predicted front (GP median)"), QColor(255, 127, 14), QCPScatterStyle::ssTriangle, false);
    baselines_ =
        scatter(plot_, tr("uniform 8/4/3/2 bits, measured"), QColor(214, 39, 40), QCPScatterStyle::ssDiamond, false);
    baselines_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDiamond, QColor(214, 39, 40), QColor(214, 39, 40), 8));
    predictedBaselines_ =
        scatter(plot_, tr("uniform 8/4/3/2 bits, predicted"), QColor(214, 39, 40), QCPScatterStyle::ssDiamond, false);
    selectedGraph_ = plot_->addGraph();
    selectedGraph_->setName(tr("selected (Ctrl+click)"));
    selectedGraph_->setLineStyle(QCPGraph::lsNone);
    selectedGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 2), Qt::NoBrush, 13));
    predictedIntervals_ = new QCPErrorBars(plot_->xAxis, plot_->yAxis);
    predictedIntervals_->setDataPlottable(predicted_);
    predictedIntervals_->setPen(QPen(QColor(255, 127, 14, 70)));
    predictedIntervals_->setWhiskerWidth(4);
    predictedIntervals_->setName(tr("95 % interval of a prediction"));
    highlightGraph_ = plot_->addGraph();
    highlightGraph_->setName(tr("selected trial"));
    highlightGraph_->setLineStyle(QCPGraph::lsNone);
    highlightGraph_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(QColor(148, 103, 189), 2.5), Qt::NoBrush, 15));
    plot_->yAxis->setLabel(tr("Top-1 accuracy (%)"));
    // The legend below the axes, never over the data.
    plot_->legend->setVisible(true);
    plot_->legend->setWrap(3); // three entries a row: one row of six made the window wider than the screen
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->axisRect()->insetLayout()->take(plot_->legend);
    auto* legendRow = new QCPLayoutGrid;
    plot_->plotLayout()->addElement(1, 0, legendRow);
    legendRow->addElement(0, 0, plot_->legend);
    legendRow->setMargins(QMargins(0, 0, 0, 4));
    plot_->plotLayout()->setRowStretchFactor(1, 0.001);
    plot_->yAxis->ticker()->setTickCount(6);
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] { resetZoom(); });
    connect(plot_->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            [this] { fitTickPrecision(plot_->yAxis); });
    connect(plot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            [this] { fitTickPrecision(plot_->xAxis); });
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setMouseTracking(true);
    connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        const QString text = hoverText(event->position());
        if (!text.isEmpty())
            QToolTip::showText(event->globalPosition().toPoint(), text, plot_);
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

void ParetoPlot::highlight(const std::optional<BitConfig>& bits)
{
    highlighted_ = bits;
    drawHighlight(); // zoom and pan stay as they are
    scheduleReplot();
}

void ParetoPlot::drawHighlight()
{
    QVector<double> hx, hy;
    for (const Point& p : points_)
        if (highlighted_ && p.bits == *highlighted_ && !p.predicted) {
            hx.push_back(p.x);
            hy.push_back(p.y);
        }
    highlightGraph_->setData(hx, hy);
}

int ParetoPlot::highlightedPoints() const
{
    return highlightGraph_->dataCount();
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
    if (axis == Axis::Latency && !latencyOf_)
        return;
    axis_ = axis;
    const QSignalBlocker block(axisChooser_);
    axisChooser_->setCurrentIndex(axis == Axis::Memory ? 0 : axis == Axis::Bops ? 1 : 2);
    rebuild();
}

void ParetoPlot::setLatency(std::function<double(const BitConfig&)> latencyOf, const QString& machine)
{
    latencyOf_ = std::move(latencyOf);
    latencyMachine_ = machine;
    rebuild();
}

double ParetoPlot::xOf(double memoryMB, double bops, const BitConfig& bits) const
{
    switch (axis_) {
    case Axis::Memory: return memoryMB;
    case Axis::Bops: return bops / 1e9;
    case Axis::Latency: return latencyOf_(bits);
    }
    return memoryMB;
}

void ParetoPlot::rebuild()
{
    std::set<BitConfig> onFront;
    if (axis_ == Axis::Memory) {
        for (const ResultPoint& p : results_.observedFront)
            onFront.insert(p.bits);
    } else { // the front on this axis: what is cheapest in BOPs or time need not be in memory
        std::vector<TradeOff> tradeOffs;
        std::vector<BitConfig> configs;
        for (const TrialRow& t : trials_)
            if (t.status == TrialStatus::Done && t.task == results_.targetTask && t.accuracy) {
                tradeOffs.push_back({xOf(t.memoryMB.value_or(0), t.bops.value_or(0), t.bits), *t.accuracy});
                configs.push_back(t.bits);
            }
        for (size_t i : paretoFront(tradeOffs))
            onFront.insert(configs[i]);
    }
    QVector<double> dx, dy, fx, fy, px, py, bx, by, qx, qy;
    points_.clear();
    observed_ = front_count_ = predicted_count_ = 0;
    std::set<BitConfig> frontDrawn;
    for (const TrialRow& t : trials_) {
        if (t.status != TrialStatus::Done || t.task != results_.targetTask || !t.accuracy)
            continue;
        const double x = xOf(t.memoryMB.value_or(0), t.bops.value_or(0), t.bits);
        ++observed_;
        const bool front = onFront.count(t.bits) && frontDrawn.insert(t.bits).second;
        points_.push_back({x, *t.accuracy, t.bits,
                           front ? QStringLiteral("observed front") : QStringLiteral("dominated"), false, t.id,
                           t.memoryMB.value_or(0), t.bops.value_or(0), std::nullopt, std::nullopt});
        if (front) {
            fx.push_back(x);
            fy.push_back(*t.accuracy);
        } else {
            dx.push_back(x);
            dy.push_back(*t.accuracy);
        }
    }
    front_count_ = int(fx.size());
    // Sorted by x here, so that the intervals line up with the graph's (key-sorted) points.
    std::vector<const ResultPoint*> predicted;
    for (const ResultPoint& p : results_.predictedFront)
        predicted.push_back(&p);
    std::stable_sort(predicted.begin(), predicted.end(), [this](const ResultPoint* a, const ResultPoint* b) {
        return xOf(a->memoryMB, a->bops, a->bits) < xOf(b->memoryMB, b->bops, b->bits);
    });
    QVector<double> below, above;
    for (const ResultPoint* p : predicted) {
        px.push_back(xOf(p->memoryMB, p->bops, p->bits));
        py.push_back(p->accuracy);
        below.push_back(p->lower ? p->accuracy - *p->lower : 0.0);
        above.push_back(p->upper ? *p->upper - p->accuracy : 0.0);
        points_.push_back({px.back(), py.back(), p->bits, QStringLiteral("predicted front"), true, 0, p->memoryMB,
                           p->bops, p->lower, p->upper});
    }
    predicted_count_ = int(px.size());
    // Baselines have a value (results drop those neither measured nor predicted yet).
    for (const ResultPoint& p : results_.baselines) {
        if (!p.observed && !p.predicted)
            continue;
        QVector<double>& x = p.observed ? bx : qx;
        QVector<double>& y = p.observed ? by : qy;
        x.push_back(xOf(p.memoryMB, p.bops, p.bits));
        y.push_back(p.accuracy);
        points_.push_back({x.back(), y.back(), p.bits, QStringLiteral("uniform baseline"), !p.observed, 0, p.memoryMB,
                           p.bops, p.observed ? std::nullopt : p.lower, p.observed ? std::nullopt : p.upper});
    }
    QVector<double> sx, sy;
    for (const Point& p : points_) {
        if (std::find(selected_.begin(), selected_.end(), p.bits) != selected_.end()) {
            sx.push_back(p.x);
            sy.push_back(p.y);
        }
    }
    selectedGraph_->setData(sx, sy);
    drawHighlight();
    dominated_->setData(dx, dy);
    front_->setData(fx, fy); // sorted by x: lsStepLeft draws the staircase of the front
    predicted_->setData(px, py, true);
    predictedIntervals_->setData(below, above);
    baselines_->setData(bx, by);
    predictedBaselines_->setData(qx, qy);
    plot_->xAxis->setLabel(axis_ == Axis::Memory ? tr("Memory (MB)")
                               : axis_ == Axis::Bops
                               ? tr("BOPs (G)")
                               : tr("Latency (ms per image, bit-serial on %1)").arg(latencyMachine_));
    resetZoom();
}

void ParetoPlot::resetZoom()
{
    // The points decide the range (a prediction's interval may reach far past them, drawn clipped),
    // with a margin; QCustomPlot's own rescale widens around a graph of a single point.
    if (!points_.empty()) {
        double x0 = points_.front().x, x1 = x0, y0 = points_.front().y, y1 = y0;
        for (const Point& p : points_) {
            x0 = std::min(x0, p.x);
            x1 = std::max(x1, p.x);
            y0 = std::min(y0, p.y);
            y1 = std::max(y1, p.y);
        }
        const double dx = std::max(0.05 * (x1 - x0), 1e-3 * std::max(1.0, std::abs(x1)));
        const double dy = std::max(0.05 * (y1 - y0), 0.05);
        plot_->xAxis->setRange(x0 - dx, x1 + dx);
        plot_->yAxis->setRange(y0 - dy, y1 + dy);
    }
    scheduleReplot();
}

QString ParetoPlot::hoverText(const QPointF& pixel) const
{
    const Point* p = nearest(pixel);
    if (!p)
        return {};
    const QString what = p->trial > 0 ? tr("trial %1, %2").arg(p->trial).arg(p->series)
        : p->predicted                ? tr("%1 (GP median, not measured)").arg(p->series)
                                      : tr("%1 (measured)").arg(p->series);
    const QString interval = p->lower && p->upper
        ? tr(", 95 % interval [%1, %2]").arg(*p->lower, 0, 'f', 2).arg(*p->upper, 0, 'f', 2)
        : QString();
    const QString latency =
        latencyOf_ ? tr(", %1 ms per image (bit-serial)").arg(latencyOf_(p->bits), 0, 'f', 4) : QString();
    return tr("%1\nbits %2\ntop-1 %3 %%7 on task %4 (the target)\n%5 MB, %6 GBOPs%8")
        .arg(what, QString::fromStdString(p->bits.toString()))
        .arg(p->y, 0, 'f', 2)
        .arg(results_.targetTask)
        .arg(p->memoryMB, 0, 'f', 4)
        .arg(p->bops / 1e9, 0, 'f', 3)
        .arg(interval, latency);
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
                      .arg(axis_ == Axis::Memory     ? QStringLiteral("memory_mb")
                               : axis_ == Axis::Bops ? QStringLiteral("gbops")
                                                     : QStringLiteral("latency_ms_per_image"));
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
