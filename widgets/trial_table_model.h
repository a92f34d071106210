#pragma once

#include "study/study_store.h"

#include <QAbstractTableModel>

#include <vector>

namespace quantscope {

/// The trials table: one row per trial of the study, in the order they were proposed. Sort and
/// filter it through a QSortFilterProxyModel (Qt::UserRole gives numbers for sorting).
class TrialTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Trial, Config, Task, Status, Accuracy, MemoryMB, Gbops, Seconds, Note, ColumnCount };

    explicit TrialTableModel(QObject* parent = nullptr);

    /// The study's tasks, to show task names.
    void setTaskNames(std::vector<std::string> names);
    /// Replaces the rows; rows already shown are updated in place and new ones appended, so
    /// selections survive a refresh while a search runs.
    void setTrials(const std::vector<TrialRow>& trials);
    const TrialRow& trial(int row) const { return trials_.at(size_t(row)); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<TrialRow> trials_;
    std::vector<std::string> taskNames_;
};

} // namespace quantscope
