#include "sensitivity_view.h"

#include "plot_export.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QToolTip>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

/// Layer names as tick labels on `axis` (one per integer position).
void layerTicks(QCPAxis* axis, const std::vector<LayerSensitivity>& layers)
{
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (size_t i = 0; i < layers.size(); ++i)
        ticker->addTick(double(i), QString::fromStdString(layers[i].layer));
    axis->setTicker(ticker);
}

} // namespace

SensitivityView::SensitivityView(QWidget* parent) :
    QWidget(parent), heat_(new QCustomPlot(this)), bars_(new QCustomPlot(this)), scale_(new QCPColorScale(heat_)),
    note_(new QLabel(this)), compute_(new QPushButton(tr("Compute sensitivity"), this))
{
    // Stacked, not side by side: the network dock is narrow and tall.
    heat_->setMinimumSize(280, 220); // layer names, five bit widths and the colour scale
    bars_->setMinimumSize(280, 160);
    heat_->plotLayout()->addElement(0, 1, scale_);
    scale_->setLabel(tr("drop (points)"));
    scale_->setBarWidth(10);
    bars_->xAxis->setScaleType(QCPAxis::stLogarithmic);
    bars_->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    bars_->xAxis->setNumberFormat(QStringLiteral("eb"));
    bars_->xAxis->setNumberPrecision(0);
    heat_->setMouseTracking(true);
    bars_->setMouseTracking(true);
    connect(heat_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        const QString text = heatHoverText(event->position());
        if (!text.isEmpty())
            QToolTip::showText(event->globalPosition().toPoint(), text, heat_);
    });
    connect(bars_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        const QString text = barHoverText(event->position());
        if (!text.isEmpty())
            QToolTip::showText(event->globalPosition().toPoint(), text, bars_);
    });
    compute_->setToolTip(tr("Accuracy drop per layer and bit width, and the Hessian trace (runs in the background)"));
    connect(compute_, &QPushButton::clicked, this, &SensitivityView::computeRequested);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(heat_);
    splitter->addWidget(bars_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(note_);
    layout->addWidget(splitter, 1);
    layout->addWidget(compute_);
    note_->setWordWrap(true);
    addPlotExportMenu(*heat_, [this] { return csv(); });
    addPlotExportMenu(*bars_, [this] { return csv(); });
    clear(tr("No sensitivity computed for this study yet."));
}

void SensitivityView::clear(const QString& why)
{
    heat_->clearPlottables();
    bars_->clearPlottables();
    // The layer and bit names live in the axes' tickers: a new study's empty view must not keep
    // the previous network's.
    for (QCPAxis* axis : {heat_->xAxis, heat_->yAxis, bars_->yAxis}) {
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        axis->setLabel(QString());
    }
    bars_->xAxis->setLabel(QString());
    scale_->setVisible(false);
    heat_->replot();
    bars_->replot();
    cells_ = 0;
    report_ = SensitivityReport();
    note_->setText(why);
}

void SensitivityView::setComputing(bool computing)
{
    compute_->setEnabled(!computing);
    compute_->setText(computing ? tr("Computing...") : tr("Compute sensitivity"));
}

QString SensitivityView::csv() const
{
    QString out = QStringLiteral("layer");
    for (int b : report_.bits)
        out += QStringLiteral(",drop_%1bit").arg(b);
    out += QStringLiteral(",hessian_trace\n");
    for (const LayerSensitivity& layer : report_.layers) {
        out += QString::fromStdString(layer.layer);
        for (double d : layer.accuracyDrop)
            out += QLatin1Char(',') + QString::number(d, 'g', 6);
        out += QLatin1Char(',') + QString::number(layer.hessianTrace, 'g', 6) + QLatin1Char('\n');
    }
    return out;
}

void SensitivityView::setReport(const SensitivityReport& report)
{
    report_ = report;
    heat_->clearPlottables();
    bars_->clearPlottables();
    const int layers = int(report.layers.size());
    const int widths = int(report.bits.size());
    auto* map = new QCPColorMap(heat_->xAxis, heat_->yAxis);
    map->data()->setSize(widths, layers);
    map->data()->setRange(QCPRange(0, widths - 1), QCPRange(0, layers - 1));
    cells_ = 0;
    for (int l = 0; l < layers; ++l)
        for (int b = 0; b < widths && b < int(report.layers[size_t(l)].accuracyDrop.size()); ++b) {
            map->data()->setCell(b, l, report.layers[size_t(l)].accuracyDrop[size_t(b)]);
            ++cells_;
        }
    map->setColorScale(scale_);
    scale_->setVisible(true);
    map->setGradient(QCPColorGradient(QCPColorGradient::gpHot).inverted()); // darker: a larger drop
    map->rescaleDataRange(true); // recalculated: the bounds otherwise keep the cells' initial 0
    map->setInterpolate(false);
    auto bitTicks = QSharedPointer<QCPAxisTickerText>::create();
    for (int b = 0; b < widths; ++b)
        bitTicks->addTick(b, QString::number(report.bits[size_t(b)]));
    heat_->xAxis->setTicker(bitTicks);
    layerTicks(heat_->yAxis, report.layers);
    heat_->yAxis->setRangeReversed(true); // first layer on top, as in the network panel
    heat_->xAxis->setLabel(tr("bits of that layer alone"));
    heat_->rescaleAxes();
    heat_->xAxis->setRange(-0.5, widths - 0.5);
    heat_->yAxis->setRange(-0.5, layers - 0.5);

    auto* bars = new QCPBars(bars_->yAxis, bars_->xAxis); // horizontal bars, one row per layer
    QVector<double> keys, values;
    for (int l = 0; l < layers; ++l) {
        keys.push_back(l);
        values.push_back(report.layers[size_t(l)].hessianTrace);
    }
    bars->setData(keys, values);
    bars->setBrush(QColor(31, 119, 180, 160));
    layerTicks(bars_->yAxis, report.layers);
    bars_->yAxis->setRangeReversed(true);
    bars_->xAxis->setLabel(tr("Hessian trace (HAWQ-V2)"));
    bars_->rescaleAxes();
    // Bars grow from well below the smallest trace: on a log axis they have no zero to start from.
    double smallest = 1, largest = 1;
    if (!values.isEmpty()) {
        smallest = std::max(*std::min_element(values.begin(), values.end()), 1e-12);
        largest = std::max(*std::max_element(values.begin(), values.end()), smallest * 10);
    }
    bars->setBaseValue(smallest / 10);
    bars_->xAxis->setRange(smallest / 10, largest * 2);
    bars_->yAxis->setRange(-0.5, layers - 0.5);
    heat_->replot();
    bars_->replot();
    note_->setText(tr("Float top-1 %1 % on %2 search images. Map: the drop in top-1 when only that layer is "
                      "quantized (no fine-tuning). Bars: average Hessian trace, log scale.")
                       .arg(report.floatAccuracy, 0, 'f', 2)
                       .arg(report.images));
}

QString SensitivityView::heatHoverText(const QPointF& pixel) const
{
    const int b = int(std::lround(heat_->xAxis->pixelToCoord(pixel.x())));
    const int l = int(std::lround(heat_->yAxis->pixelToCoord(pixel.y())));
    if (l < 0 || l >= int(report_.layers.size()) || b < 0 || b >= int(report_.bits.size())
        || b >= int(report_.layers[size_t(l)].accuracyDrop.size()))
        return {};
    return tr("%1 at %2 bits: top-1 drops %3 points")
        .arg(QString::fromStdString(report_.layers[size_t(l)].layer))
        .arg(report_.bits[size_t(b)])
        .arg(report_.layers[size_t(l)].accuracyDrop[size_t(b)], 0, 'f', 2);
}

QString SensitivityView::barHoverText(const QPointF& pixel) const
{
    const int l = int(std::lround(bars_->yAxis->pixelToCoord(pixel.y())));
    if (l < 0 || l >= int(report_.layers.size()))
        return {};
    const LayerSensitivity& layer = report_.layers[size_t(l)];
    return tr("%1: average Hessian trace %2 (standard error %3)")
        .arg(QString::fromStdString(layer.layer))
        .arg(layer.hessianTrace, 0, 'g', 4)
        .arg(layer.hessianTraceSd, 0, 'g', 2);
}

} // namespace quantscope
