#pragma once

#include "study/study_export.h"
#include "study/study_results.h"
#include "study/study_store.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace quantscope {

/// Chooses an export (format, configuration, file) and shows, before anything is written, which
/// layers a target runtime cannot execute at their bits. The caller writes request() (in the
/// background: StudySession::exportStudy).
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    /// `config`: the what-if configuration, filled in; `front`: the measured front's points,
    /// offered in the Choose list beside it.
    ExportDialog(const StoredStudy& study, std::vector<TrialRow> trials, const QString& config,
                 const std::vector<ResultPoint>& front = {}, QWidget* parent = nullptr);

    /// The export chosen; ConfigError when the configuration field does not fit the study.
    StudyExport request() const;
    void setFormat(const QString& format);
    void setPath(const QString& path);
    /// The Choose list: the what-if configuration, then the front's points.
    QComboBox* choices() const { return choices_; }
    QString configuration() const;
    /// The warnings shown now (one per line), for tests.
    QString warnings() const;
    /// Why the last accept() kept the dialog open; empty when it did not.
    QString errorText() const;

    /// Closes only when the request passes checkStudyExport; otherwise shows why and keeps the choices.
    void accept() override;

private:
    void updateWarnings();

    StoredStudy study_;
    std::vector<TrialRow> trials_;
    QComboBox* format_;
    QLineEdit* config_;
    QComboBox* choices_;
    QComboBox* weights_;
    QLineEdit* path_;
    QPlainTextEdit* warnings_;
    QLabel* error_;
};

} // namespace quantscope
