#include "trial_table_model.h"

namespace quantscope {

TrialTableModel::TrialTableModel(QObject* parent) : QAbstractTableModel(parent)
{
}

void TrialTableModel::setTaskNames(std::vector<std::string> names)
{
    taskNames_ = std::move(names);
    if (!trials_.empty())
        Q_EMIT dataChanged(index(0, Task), index(rowCount() - 1, Task));
}

void TrialTableModel::setTrials(const std::vector<TrialRow>& trials)
{
    const bool sameStudy = trials.size() >= trials_.size()
        && std::equal(trials_.begin(), trials_.end(), trials.begin(),
                      [](const TrialRow& a, const TrialRow& b) { return a.id == b.id; });
    if (!sameStudy) {
        beginResetModel();
        trials_ = trials;
        endResetModel();
        return;
    }
    const size_t shown = trials_.size();
    for (size_t i = 0; i < shown; ++i)
        trials_[i] = trials[i];
    if (shown > 0)
        Q_EMIT dataChanged(index(0, 0), index(int(shown) - 1, ColumnCount - 1));
    if (trials.size() > shown) {
        beginInsertRows({}, int(shown), int(trials.size()) - 1);
        trials_.insert(trials_.end(), trials.begin() + long(shown), trials.end());
        endInsertRows();
    }
}

int TrialTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(trials_.size());
}

int TrialTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TrialTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const TrialRow& t = trials_[size_t(index.row())];
    const bool sortKey = role == Qt::UserRole;
    if (role == Qt::TextAlignmentRole)
        return index.column() == Config || index.column() == Note || index.column() == Status
            ? QVariant(int(Qt::AlignLeft | Qt::AlignVCenter))
            : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    if (role == Qt::ToolTipRole && index.column() == Note)
        return QString::fromStdString(t.error.empty() ? t.reason : t.error);
    if (role != Qt::DisplayRole && !sortKey)
        return {};
    switch (index.column()) {
    case Trial: return qlonglong(t.id);
    case Config: return QString::fromStdString(t.bits.toString());
    case Task:
        if (sortKey)
            return t.task;
        return size_t(t.task) < taskNames_.size()
            ? QStringLiteral("%1 (%2)").arg(t.task).arg(QString::fromStdString(taskNames_[size_t(t.task)]))
            : QString::number(t.task);
    case Status: // "running (job 4711)": the queue job of a Slurm study's trial
        return QString(QString::fromStdString(trialStatusName(t.status))
                       + (t.job.empty() ? QString() : tr(" (job %1)").arg(QString::fromStdString(t.job))));
    case Accuracy:
        if (!t.accuracy)
            return sortKey ? QVariant(-1.0) : QVariant();
        return sortKey ? QVariant(*t.accuracy) : QVariant(QString::number(*t.accuracy, 'f', 2));
    case MemoryMB:
        if (!t.memoryMB)
            return {};
        return sortKey ? QVariant(*t.memoryMB) : QVariant(QString::number(*t.memoryMB, 'f', 4));
    case Gbops:
        if (!t.bops)
            return {};
        return sortKey ? QVariant(*t.bops) : QVariant(QString::number(*t.bops / 1e9, 'f', 3));
    case Seconds:
        if (!t.seconds)
            return {};
        return sortKey ? QVariant(*t.seconds) : QVariant(QString::number(*t.seconds, 'f', 1));
    case Note: return QString::fromStdString(t.error.empty() ? t.reason : t.error);
    default: return {};
    }
}

QVariant TrialTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Trial: return tr("Trial");
    case Config: return tr("Bits");
    case Task: return tr("Task");
    case Status: return tr("Status");
    case Accuracy: return tr("Top-1 %");
    case MemoryMB: return tr("MB");
    case Gbops: return tr("GBOPs");
    case Seconds: return tr("Seconds");
    case Note: return tr("Why / error");
    default: return {};
    }
}

} // namespace quantscope
