#pragma once

#include <QWidget>

#include <string>
#include <vector>

class QCPBars;
class QCustomPlot;

namespace quantscope {

/// Bits over depth: one horizontal bar per layer, input at the top, its length the layer's bits
/// (float drawn as "f", past 8). Pressing or dragging on a layer's row sets its bits to where the
/// mouse is: bitsDragged().
class BitsChart : public QWidget {
    Q_OBJECT
public:
    explicit BitsChart(QWidget* parent = nullptr);

    void setLayers(const std::vector<std::string>& names);
    /// Bits per layer, 0 for float.
    void setBits(const std::vector<int>& bits);
    QCustomPlot* plot() const { return plot_; }
    /// The (layer, bits) a press at `pixel` asks for; layer -1 outside the rows.
    std::pair<int, int> target(const QPointF& pixel) const;

Q_SIGNALS:
    void bitsDragged(int layer, int bits);

private:
    QCustomPlot* plot_;
    QCPBars* bars_;
    int layers_ = 0;
};

} // namespace quantscope
