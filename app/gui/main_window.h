#pragma once

#include "quant/bit_config.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <vector>

class QDockWidget;
class QLabel;
class QMenu;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QSortFilterProxyModel;
class QTableView;

namespace quantscope {

class LayerTableModel;
class ParetoPlot;
class ModelCheckView;
class PosteriorView;
class SearchJobView;
class SensitivityView;
class StudySession;
class TrialTableModel;
class WhatIfEditor;
struct StudySpec;

/// The workbench window. It only wires the session (widgets/study_session.h) to the panels:
/// the Pareto view in the centre, the network, trials and log in docks that can be rearranged
/// (the layout is saved), the search commands in a toolbar with shortcuts.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens (or creates) study `spec.name` in `database`; errors go to a dialog and the log.
    void openStudy(const QString& database, const StudySpec& spec);
    /// Opens a study file as a person picks it (command line, File > Open Study): its only study,
    /// the one they choose when it holds several, or its default study (created when it has none).
    void openStudyFile(const QString& database);
    /// The study opened last, or the default study on the shipped model in the user's data folder.
    void openStartupStudy();
    StudySession* session() const { return session_; }
    /// Writes one bits-json file per configuration into `folder` (the trials table's "Export
    /// Selected Configurations"); ConfigError for a bad configuration.
    void exportConfigurations(const std::vector<BitConfig>& configs, const QString& folder);
    // The panels, for tests and the screenshot tour.
    LayerTableModel* layerModel() const { return layerModel_; }
    TrialTableModel* trialModel() const { return trialModel_; }
    ParetoPlot* pareto() const { return pareto_; }
    PosteriorView* posterior() const { return posterior_; }
    ModelCheckView* modelCheck() const { return modelCheck_; }
    SearchJobView* searchJobs() const { return searchJobs_; }
    SensitivityView* sensitivity() const { return sensitivity_; }
    WhatIfEditor* whatIf() const { return whatIf_; }
    QTableView* trialsView() const { return trialsView_; }

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void createDocks();
    void createActions();
    void log(const QString& message);
    void showConfiguration(const BitConfig& bits);
    /// Selects the target-task trial of `bits` in the trials table, if there is one.
    void selectTrialOf(const BitConfig& bits);
    void exportSelectedConfigurations();
    void updateSummary();
    /// "study — network on data set — Quantscope".
    void updateTitle();
    void showAbout();

    StudySession* session_;
    ParetoPlot* pareto_;
    LayerTableModel* layerModel_;
    TrialTableModel* trialModel_;
    QSortFilterProxyModel* trialFilter_;
    WhatIfEditor* whatIf_;
    SensitivityView* sensitivity_;
    PosteriorView* posterior_;
    ModelCheckView* modelCheck_;
    SearchJobView* searchJobs_;
    QPlainTextEdit* log_;
    QLabel* summary_;
    QProgressBar* progress_;
    std::vector<QDockWidget*> docks_;
    bool layoutRestored_ = false; ///< a saved layout was restored, or the default one applied
    qint64 lastProposalLogged_ = 0;
    bool dataLogged_ = false;  ///< the open study's data summary and notes are in the log
    QElapsedTimer phaseClock_; ///< since the progress phase began, for the time estimate
    QString phase_;
    bool pausing_ = false; ///< a pause was asked for and the running evaluations finish first
    bool computingSensitivity_ = false;
    QMenu* recent_ = nullptr;
    QTableView* trialsView_ = nullptr;
};

} // namespace quantscope
