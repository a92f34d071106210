#include "sensitivity_view.h"

#include "plot_export.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

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
    QWidget(parent), heat_(new QCustomPlot(this)), bars_(new QCustomPlot(this)), note_(new QLabel(this)),
    compute_(new QPushButton(tr("Compute sensitivity"), this))
{
    compute_->setToolTip(tr("Accuracy drop per layer and bit width, and the Hessian trace (runs in the background)"));
    connect(compute_, &QPushButton::clicked, this, &SensitivityView::computeRequested);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
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
    for (QCPAxis* axis : {heat_->xAxis, heat_->yAxis, bars_->xAxis, bars_->yAxis}) {
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        axis->setLabel(QString());
    }
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
    map->setGradient(QCPColorGradient(QCPColorGradient::gpHot).inverted()); // darker: a larger drop
    map->rescaleDataRange();
    map->setInterpolate(false);
    auto bitTicks = QSharedPointer<QCPAxisTickerText>::create();
    for (int b = 0; b < widths; ++b)
        bitTicks->addTick(b, tr("%1-bit").arg(report.bits[size_t(b)]));
    heat_->xAxis->setTicker(bitTicks);
    layerTicks(heat_->yAxis, report.layers);
    heat_->yAxis->setRangeReversed(true); // first layer on top, as in the network panel
    heat_->xAxis->setLabel(tr("accuracy drop (points), only this layer quantized"));
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
    bars_->xAxis->setLabel(tr("average Hessian trace (HAWQ-V2)"));
    bars_->rescaleAxes();
    bars_->yAxis->setRange(-0.5, layers - 0.5);
    heat_->replot();
    bars_->replot();
    note_->setText(tr("Float top-1 %1 % on %2 search images. Darker: a larger drop when only that layer is "
                      "quantized (no fine-tuning).")
                       .arg(report.floatAccuracy, 0, 'f', 2)
                       .arg(report.images));
}

} // namespace quantscope
