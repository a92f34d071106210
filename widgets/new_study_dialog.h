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
/// with its input normalisation), data set (the shipped ones, or a folder of images in class
/// folders with torchvision's Resize and CenterCrop), quantizer, tasks and their default costs, encoding,
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
    /// The data set, its folder and an image folder's Resize and CenterCrop ("256", "224"; empty: none).
    void setData(const QString& dataset, const QString& folder, const QString& resize = {}, const QString& crop = {});
    /// Images in the search split (the search is scored on them).
    void setSearchSize(int images);
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
    QLineEdit* dataDir_;
    QLineEdit* resize_;
    QLineEdit* crop_;
    QComboBox* color_;
    QComboBox* badImages_;
    QSpinBox* searchSize_;
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
