#include "bits_chart.h"

#include <qcustomplot.h>

#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

constexpr int kFloatColumn = 9; ///< where float is drawn: past 8 bits

} // namespace

BitsChart::BitsChart(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    setMinimumSize(180, 160);
    setToolTip(tr("Bits per layer, input at the top: press or drag on a row to set its bits"));
    bars_ = new QCPBars(plot_->yAxis, plot_->xAxis); // horizontal: one row per layer
    bars_->setBrush(QColor(31, 119, 180, 170));
    bars_->setPen(QPen(QColor(31, 119, 180)));
    bars_->setWidth(0.7);
    auto bitTicks = QSharedPointer<QCPAxisTickerText>::create();
    for (int b = 1; b <= 8; ++b)
        bitTicks->addTick(b, QString::number(b));
    bitTicks->addTick(kFloatColumn, tr("f"));
    plot_->xAxis->setTicker(bitTicks);
    plot_->xAxis->setRange(0, kFloatColumn + 0.5);
    plot_->xAxis->setLabel(tr("bits"));
    plot_->yAxis->setRangeReversed(true);
    const auto press = [this](QMouseEvent* event) {
        if (!(event->buttons() & Qt::LeftButton))
            return;
        const auto [layer, bits] = target(event->position());
        if (layer >= 0)
            Q_EMIT bitsDragged(layer, bits);
    };
    connect(plot_, &QCustomPlot::mousePress, this, press);
    connect(plot_, &QCustomPlot::mouseMove, this, press);
}

void BitsChart::setLayers(const std::vector<std::string>& names)
{
    layers_ = int(names.size());
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < layers_; ++i)
        ticker->addTick(i, QString::fromStdString(names[size_t(i)]));
    plot_->yAxis->setTicker(ticker);
    plot_->yAxis->setRange(-0.5, std::max(layers_, 1) - 0.5);
    setBits(std::vector<int>(size_t(layers_), 8));
}

void BitsChart::setBits(const std::vector<int>& bits)
{
    QVector<double> keys, values;
    for (size_t i = 0; i < bits.size(); ++i) {
        keys.push_back(double(i));
        values.push_back(bits[i] == 0 ? kFloatColumn : bits[i]);
    }
    bars_->setData(keys, values);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

std::pair<int, int> BitsChart::target(const QPointF& pixel) const
{
    const int layer = int(std::lround(plot_->yAxis->pixelToCoord(pixel.y())));
    if (layer < 0 || layer >= layers_)
        return {-1, 0};
    const int bits = std::clamp(int(std::lround(plot_->xAxis->pixelToCoord(pixel.x()))), 1, kFloatColumn);
    return {layer, bits == kFloatColumn ? 0 : bits};
}

} // namespace quantscope
