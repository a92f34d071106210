#pragma once

#include "study/study_spec.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace quantscope {

/// Defines a new study: where it is stored, the network (the shipped model or a TorchScript file
/// with its input normalisation), data set, quantizer, tasks and their default costs, encoding,
/// strategy, initial design and measured baselines, budget and parallel workers. Starts from NUQ's protocol on the shipped model.
class NewStudyDialog : public QDialog {
    Q_OBJECT
public:
    explicit NewStudyDialog(const QString& database, QWidget* parent = nullptr);

    QString database() const;
    /// The study as defined; ConfigError naming the first bad field.
    StudySpec spec() const;
    /// Fields a test or a caller may set directly.
    void setModel(const QString& path, const QString& mean = {}, const QString& stddev = {});
    void setEvaluator(const QString& evaluator);
    void setName(const QString& name);
    void setBudget(int trials);
    void removeAllTasks();
    /// Why the last accept() kept the dialog open; empty when it did not.
    QString errorText() const;

    void accept() override; ///< validates first; a bad field keeps the dialog open with the reason

private:
    QLineEdit* database_;
    QLineEdit* name_;
    QComboBox* evaluator_;
    QLineEdit* model_;
    QLineEdit* mean_;
    QLineEdit* std_;
    QComboBox* dataset_;
    QComboBox* quantizer_;
    QTableWidget* tasks_;
    QComboBox* encoding_;
    QComboBox* strategy_;
    QSpinBox* initialCheap_;
    QSpinBox* initialTarget_;
    QCheckBox* baselines_;
    QSpinBox* budget_;
    QSpinBox* workers_;
    QLabel* error_;
};

} // namespace quantscope
