#pragma once

#include "common/layer_info.h"
#include "quant/layer_bits.h"

#include <QAbstractTableModel>

#include <vector>

namespace quantscope {

/// The network panel's table: one row per quantizable layer with its kind, weight shape,
/// parameters, MACs, current bits and sensitivity.
class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Kind, Shape, Parameters, Macs, Bits, Sensitivity, ColumnCount };

    explicit LayerTableModel(QObject* parent = nullptr);

    void setLayers(std::vector<LayerInfo> layers);
    /// Current bits per layer (same length as the layers; empty shows float).
    void setBits(std::vector<LayerBits> bits);
    /// Accuracy drop (points) per layer at the lowest bit width measured, and that width; empty
    /// when no sensitivity was computed.
    void setSensitivity(std::vector<double> drop, int bits);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<LayerInfo> layers_;
    std::vector<LayerBits> bits_;
    std::vector<double> sensitivity_;
    int sensitivityBits_ = 0;
};

} // namespace quantscope
