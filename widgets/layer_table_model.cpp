#include "layer_table_model.h"

#include <QLocale>
#include <QStringList>

namespace quantscope {
namespace {

QString shapeText(const std::vector<int64_t>& shape)
{
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return parts.join(QLatin1Char('x'));
}

QString bitsText(const LayerBits& bits)
{
    if (bits.isFloat())
        return QStringLiteral("float");
    if (bits.coupled())
        return QString::number(bits.weight);
    auto side = [](int b) { return b == 0 ? QStringLiteral("f") : QString::number(b); };
    return side(bits.weight) + QLatin1Char('/') + side(bits.activation);
}

} // namespace

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent)
{
}

void LayerTableModel::setLayers(std::vector<LayerInfo> layers)
{
    beginResetModel();
    layers_ = std::move(layers);
    bits_.clear();
    endResetModel();
}

void LayerTableModel::setSensitivity(std::vector<double> drop, int bits)
{
    sensitivity_ = std::move(drop);
    sensitivityBits_ = bits;
    Q_EMIT headerDataChanged(Qt::Horizontal, Sensitivity, Sensitivity);
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, Sensitivity), index(rowCount() - 1, Sensitivity));
}

void LayerTableModel::setBits(std::vector<LayerBits> bits)
{
    bits_ = std::move(bits);
    if (!layers_.empty())
        emit dataChanged(index(0, Bits), index(rowCount() - 1, Bits));
}

int LayerTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(layers_.size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const LayerInfo& layer = layers_[size_t(index.row())];
    if (role == Qt::DisplayRole) {
        const QLocale locale;
        switch (index.column()) {
        case Name: return QString::fromStdString(layer.name);
        case Kind: return QString::fromStdString(layerKindName(layer.kind));
        case Shape: return shapeText(layer.weightShape);
        case Parameters: return locale.toString(qlonglong(layer.parameterCount()));
        case Macs: return locale.toString(qlonglong(layer.macs));
        case Bits: return bitsText(size_t(index.row()) < bits_.size() ? bits_[size_t(index.row())] : LayerBits{});
        case Sensitivity:
            return size_t(index.row()) < sensitivity_.size()
                ? QString::number(sensitivity_[size_t(index.row())], 'f', 2)
                : QString();
        }
    } else if (role == Qt::TextAlignmentRole && (index.column() == Parameters || index.column() == Macs)) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::ToolTipRole) {
        return tr("%1: %2 weights, %3 multiply-accumulates per image%4")
            .arg(QString::fromStdString(layer.name))
            .arg(layer.weightCount)
            .arg(layer.macs)
            .arg(layer.takesImage ? tr("; reads the input image") : QString());
    }
    return {};
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    // Row headers name the layer: a view's row header stays in place while its columns scroll.
    if (orientation == Qt::Vertical && role == Qt::DisplayRole && section >= 0 && section < rowCount())
        return QString::fromStdString(layers_[size_t(section)].name);
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name: return tr("Layer");
    case Kind: return tr("Kind");
    case Shape: return tr("Weight shape");
    case Parameters: return tr("Parameters");
    case Macs: return tr("MACs");
    case Bits: return tr("Bits");
    case Sensitivity: return sensitivityBits_ > 0 ? tr("Drop at %1 bits").arg(sensitivityBits_) : tr("Sensitivity");
    }
    return {};
}

} // namespace quantscope
