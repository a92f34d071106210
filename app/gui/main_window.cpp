#include "main_window.h"

#include "export_dialog.h"
#include "layer_table_model.h"
#include "new_study_dialog.h"
#include "pareto_plot.h"
#include "model_check_view.h"
#include "search_job_view.h"
#include "posterior_view.h"
#include "sensitivity_view.h"
#include "study_session.h"
#include "trial_table_model.h"
#include "what_if_editor.h"

#include "study/study_store.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QInputDialog>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScreen>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QUndoStack>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

#include <set>

namespace quantscope {
namespace {

QDockWidget* dock(QMainWindow* window, const QString& title, const QString& objectName, QWidget* content,
                  Qt::DockWidgetArea area)
{
    auto* d = new QDockWidget(title, window);
    d->setObjectName(objectName); // saveState() needs names
    d->setWidget(content);
    window->addDockWidget(area, d);
    return d;
}

/// What the study searches, as a person calls it: the network (its model file's name, or the
/// shipped model) on its data set, the synthetic problem, or the external command.
QString subjectName(const StudySpec& spec)
{
    if (spec.evaluator == "synthetic")
        return MainWindow::tr("the synthetic problem, %1 layers").arg(spec.syntheticLayers);
    if (spec.evaluator == "command")
        return MainWindow::tr("command %1")
            .arg(spec.command.empty() ? QString() : QFileInfo(QString::fromStdString(spec.command.front())).fileName());
    const QString network =
        spec.model.empty() ? MainWindow::tr("shipped VGG") : QFileInfo(QString::fromStdString(spec.model)).fileName();
    if (spec.data.kind() == DatasetKind::ImageFolder)
        return MainWindow::tr("%1 on image folder %2")
            .arg(network, QFileInfo(QString::fromStdString(spec.data.dataDir)).fileName());
    return MainWindow::tr("%1 on %2").arg(network, QString::fromStdString(spec.data.dataset));
}

} // namespace

MainWindow::MainWindow(QWidget* parent) :
    QMainWindow(parent), session_(new StudySession(this)), pareto_(new ParetoPlot(this)),
    layerModel_(new LayerTableModel(this)), trialModel_(new TrialTableModel(this)),
    trialFilter_(new QSortFilterProxyModel(this)), whatIf_(new WhatIfEditor(this)),
    sensitivity_(new SensitivityView(this)), posterior_(new PosteriorView(this)), modelCheck_(new ModelCheckView(this)),
    searchJobs_(new SearchJobView(this)), log_(new QPlainTextEdit(this)), summary_(new QLabel(this)),
    progress_(new QProgressBar(this))
{
    setWindowTitle(tr("Quantscope"));
    setCentralWidget(pareto_);
    createDocks();
    createActions();
    statusBar()->addWidget(summary_, 1);
    statusBar()->addPermanentWidget(progress_);
    progress_->setMinimumWidth(380); // "trial 13 (600 steps): train 340/600, about 40 s left" fits
    progress_->setMaximumWidth(560);
    progress_->setVisible(false);

    connect(session_, &StudySession::opened, this, [this] {
        const StoredStudy& study = session_->study();
        layerModel_->setLayers(study.layers);
        whatIf_->setStudy(study);
        posterior_->setStudy(study);
        modelCheck_->setStudy(study);
        searchJobs_->setStudy(study);
        std::vector<std::string> tasks;
        for (const StudyTask& task : study.spec.tasks)
            tasks.push_back(task.name);
        trialModel_->setTaskNames(tasks);
        QSettings().setValue(QStringLiteral("lastStudy/database"), session_->database());
        QStringList recent = QSettings().value(QStringLiteral("recentStudies")).toStringList();
        const QString entry = session_->database() + QLatin1Char('|') + QString::fromStdString(study.spec.name);
        recent.removeAll(entry);
        recent.prepend(entry);
        QSettings().setValue(QStringLiteral("recentStudies"), recent.mid(0, 10));
        QSettings().setValue(QStringLiteral("lastStudy/name"), QString::fromStdString(study.spec.name));
        updateTitle();
        log(tr("Opened study '%1' in %2").arg(QString::fromStdString(study.spec.name), session_->database()));
        dataLogged_ = false;
    });
    connect(session_, &StudySession::trialsChanged, this, [this] {
        trialModel_->setTrials(session_->trials());
        whatIf_->setTrials(session_->trials());
        updateSummary();
        for (const TrialRow& t : session_->trials())
            if (t.status == TrialStatus::Pending && t.id > lastProposalLogged_) {
                lastProposalLogged_ = t.id;
                log(tr("proposed trial %1: %2 on task %3, because %4")
                        .arg(t.id)
                        .arg(QString::fromStdString(t.bits.toString()))
                        .arg(t.task)
                        .arg(QString::fromStdString(t.reason)));
            }
    });
    connect(session_, &StudySession::resultsChanged, this, [this] {
        pareto_->setData(session_->trials(), session_->results());
        whatIf_->setSurrogate(session_->results().surrogate, session_->results().costs);
        posterior_->setData(session_->trials(), session_->results());
        modelCheck_->setData(session_->results());
        searchJobs_->setData(session_->searchJobs(), session_->trials());
        updateSummary(); // the search jobs' time arrives with the results
        const DataSummary& data = session_->data();
        if (!dataLogged_ && !data.empty()) { // the data arrives with the first results
            dataLogged_ = true;
            log(tr("Data: %1").arg(QString::fromStdString(data.oneLine())));
            for (const std::string& note : data.notes)
                log(tr("Data: %1").arg(QString::fromStdString(note)));
        }
    });
    connect(session_, &StudySession::warning, this,
            [this](const QString& message) { log(tr("Warning: %1").arg(message)); });
    connect(whatIf_, &WhatIfEditor::evaluateRequested, this, [this](const BitConfig& bits, int task) {
        log(tr("Evaluating %1 on task %2 (what-if)").arg(QString::fromStdString(bits.toString())).arg(task));
        session_->evaluate(bits, task);
    });
    connect(whatIf_, &WhatIfEditor::configurationChanged, this, [this](const BitConfig& bits) {
        std::vector<LayerBits> layers;
        for (size_t i = 0; i < bits.size(); ++i)
            layers.push_back(bits[i]);
        layerModel_->setBits(layers);
    });
    connect(session_, &StudySession::trialFinished, this, [this](const TrialRow& t) {
        log(t.status == TrialStatus::Done ? tr("trial %1, task %2, %3: %4 %")
                                                .arg(t.id)
                                                .arg(t.task)
                                                .arg(QString::fromStdString(t.bits.toString()))
                                                .arg(*t.accuracy, 0, 'f', 2)
                                          : tr("trial %1 failed: %2").arg(t.id).arg(QString::fromStdString(t.error)));
    });
    connect(session_, &StudySession::progress, this, [this](const QString& phase, qint64 done, qint64 total) {
        if (phase != phase_ || done == 0) { // a new phase: its own clock for the estimate
            phase_ = phase;
            phaseClock_.start();
        }
        QString format = phase + QStringLiteral(" %v/%m");
        const double elapsed = phaseClock_.elapsed() / 1000.0;
        if (done > 0 && total > done && elapsed > 2) // an estimate once there is something to go by
            format += tr(", about %1 s left").arg(elapsed / double(done) * double(total - done), 0, 'f', 0);
        if (pausing_)
            format = tr("Pausing after this: ") + format;
        progress_->setFormat(format);
        progress_->setRange(0, int(std::max<qint64>(total, 1)));
        progress_->setValue(int(done));
    });
    connect(session_, &StudySession::busyChanged, this, [this](bool busy) {
        progress_->setVisible(busy);
        if (!busy && pausing_) {
            pausing_ = false;
            log(tr("Paused: Run goes on from here"));
        }
        if (!busy && computingSensitivity_) {
            computingSensitivity_ = false;
            log(session_->sensitivity() ? tr("Sensitivity computed") : tr("Sensitivity not computed"));
        }
    });
    connect(session_, &StudySession::failed, this, [this](const QString& message) {
        log(tr("Error: %1").arg(message));
        QMessageBox::warning(this, tr("Quantscope"), message);
    });
    connect(pareto_, &ParetoPlot::configurationClicked, this, &MainWindow::showConfiguration);
    connect(pareto_, &ParetoPlot::configurationClicked, this, &MainWindow::selectTrialOf);
    connect(pareto_, &ParetoPlot::exportRequested, this, [this](const std::vector<BitConfig>& configs) {
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("Export %n configuration(s) to", nullptr, int(configs.size())));
        if (folder.isEmpty())
            return;
        try {
            exportConfigurations(configs, folder);
        } catch (const std::exception& e) {
            QMessageBox::warning(this, tr("Export"), QString::fromLocal8Bit(e.what()));
        }
    });
    connect(session_, &StudySession::exported, this, [this](const QString& path, const QString& note) {
        log(note.isEmpty() ? tr("Exported %1").arg(path) : tr("Exported %1: %2").arg(path, note));
        statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    });
    connect(sensitivity_, &SensitivityView::computeRequested, this, [this] {
        if (session_->busy())
            return;
        computingSensitivity_ = true;
        log(tr("Computing per-layer sensitivity (accuracy drops and Hessian traces) in the background"));
        session_->computeSensitivity();
    });
    connect(session_, &StudySession::busyChanged, sensitivity_, &SensitivityView::setComputing);
    connect(pareto_, &ParetoPlot::latencyRequested, this, [this] {
        if (session_->busy()) {
            statusBar()->showMessage(tr("Latency is measured when the study is idle"), 5000);
            return;
        }
        log(tr("Measuring the bit-serial engine's latency per layer and bit pair on this CPU (cached afterwards)"));
        session_->computeLatency();
    });
    connect(session_, &StudySession::latencyChanged, this, [this] {
        const auto& table = session_->latency();
        if (!table) {
            pareto_->setAxis(pareto_->axis() == ParetoPlot::Axis::Latency ? ParetoPlot::Axis::Memory : pareto_->axis());
            pareto_->setLatency({}, {});
            return;
        }
        const bool imageInput = session_->study().spec.quantizeImageInput;
        pareto_->setLatency(
            [table = *table, imageInput](const BitConfig& bits) { return table.perImageMs(bits, imageInput); },
            QString::fromStdString(table->machine));
        pareto_->setAxis(ParetoPlot::Axis::Latency);
        log(tr("Bit-serial latency measured on %1").arg(QString::fromStdString(table->machine)));
    });
    connect(session_, &StudySession::sensitivityChanged, this, [this] {
        const auto& report = session_->sensitivity();
        if (!report) {
            sensitivity_->clear(tr("No sensitivity computed for this study yet."));
            layerModel_->setSensitivity({}, 0);
            return;
        }
        sensitivity_->setReport(*report);
        std::vector<double> drop;
        for (const LayerSensitivity& layer : report->layers)
            drop.push_back(layer.accuracyDrop.empty() ? 0.0 : layer.accuracyDrop.front());
        layerModel_->setSensitivity(drop, report->bits.empty() ? 0 : report->bits.front());
    });

    // The default layout (no saved one): most of the screen, docks wide enough for their views.
    const QRect screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry()
                                                          : QRect(0, 0, 1600, 1000);
    resize(std::clamp(screen.width() * 9 / 10, 1200, 1800), std::clamp(screen.height() * 9 / 10, 760, 1100));
    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    layoutRestored_ = restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

MainWindow::~MainWindow() = default;

void MainWindow::createDocks()
{
    auto* layers = new QTableView(this);
    layers->setModel(layerModel_);
    layers->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layers->setSelectionBehavior(QAbstractItemView::SelectRows);
    layers->setColumnHidden(LayerTableModel::Name, true); // the row headers name the layers, frozen while scrolling
    QDockWidget* network = dock(this, tr("Network"), QStringLiteral("networkDock"), layers, Qt::LeftDockWidgetArea);

    auto* trialsPanel = new QWidget(this);
    auto* filter = new QLineEdit(trialsPanel);
    filter->setPlaceholderText(tr("Filter trials (bits, status, reason)"));
    filter->setClearButtonEnabled(true);
    trialFilter_->setSourceModel(trialModel_);
    trialFilter_->setSortRole(Qt::UserRole);
    trialFilter_->setFilterKeyColumn(-1);
    trialFilter_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(filter, &QLineEdit::textChanged, trialFilter_, &QSortFilterProxyModel::setFilterFixedString);
    auto* trials = new QTableView(trialsPanel);
    trialsView_ = trials;
    trials->setModel(trialFilter_);
    trials->setSelectionMode(QAbstractItemView::ExtendedSelection);
    trials->setContextMenuPolicy(Qt::ActionsContextMenu);
    QAction* exportSelected = new QAction(tr("Export Selected Configurations..."), trials);
    exportSelected->setToolTip(tr("One bits-json file per selected configuration"));
    connect(exportSelected, &QAction::triggered, this, &MainWindow::exportSelectedConfigurations);
    trials->addAction(exportSelected);
    trials->setSortingEnabled(true);
    trials->sortByColumn(TrialTableModel::Trial, Qt::DescendingOrder); // newest first while a search runs
    trials->setWordWrap(false);
    trials->verticalHeader()->setVisible(false);
    trials->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    trials->setSelectionBehavior(QAbstractItemView::SelectRows);
    trials->horizontalHeader()->setStretchLastSection(true);
    // One click (as the README says) or Enter loads a trial into the what-if editor.
    const auto load = [this](const QModelIndex& index) {
        showConfiguration(trialModel_->trial(trialFilter_->mapToSource(index).row()).bits);
    };
    connect(trials, &QTableView::clicked, this, load);
    connect(trials, &QTableView::activated, this, load);
    // The selected trial's point is marked in the Pareto view (and a clicked point selects its trial).
    connect(trials->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                pareto_->highlight(current.isValid() ? std::optional<BitConfig>(
                                       trialModel_->trial(trialFilter_->mapToSource(current).row()).bits)
                                                     : std::nullopt);
            });
    auto* trialsLayout = new QVBoxLayout(trialsPanel);
    trialsLayout->setContentsMargins(0, 0, 0, 0);
    trialsLayout->addWidget(filter);
    trialsLayout->addWidget(trials);
    QDockWidget* trialsDock =
        dock(this, tr("Trials"), QStringLiteral("trialsDock"), trialsPanel, Qt::BottomDockWidgetArea);

    QDockWidget* whatIf = dock(this, tr("What-if"), QStringLiteral("whatIfDock"), whatIf_, Qt::RightDockWidgetArea);
    QDockWidget* sensitivity =
        dock(this, tr("Sensitivity"), QStringLiteral("sensitivityDock"), sensitivity_, Qt::LeftDockWidgetArea);
    QDockWidget* posterior =
        dock(this, tr("Posterior"), QStringLiteral("posteriorDock"), posterior_, Qt::RightDockWidgetArea);
    QDockWidget* modelCheck =
        dock(this, tr("Model check"), QStringLiteral("modelCheckDock"), modelCheck_, Qt::RightDockWidgetArea);
    QDockWidget* searchJobs =
        dock(this, tr("Search jobs"), QStringLiteral("searchJobsDock"), searchJobs_, Qt::RightDockWidgetArea);
    tabifyDockWidget(network, sensitivity);
    network->raise();

    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    QDockWidget* logDock = dock(this, tr("Log"), QStringLiteral("logDock"), log_, Qt::BottomDockWidgetArea);
    tabifyDockWidget(trialsDock, logDock);
    trialsDock->raise();

    tabifyDockWidget(whatIf, posterior);
    tabifyDockWidget(posterior, modelCheck);
    tabifyDockWidget(modelCheck, searchJobs);
    whatIf->raise();
    docks_ = {network, sensitivity, whatIf, posterior, modelCheck, searchJobs, trialsDock, logDock};
}

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New Study..."), QKeySequence::New, this, [this] {
        const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
        NewStudyDialog dialog(folder + QStringLiteral("/study.db"), this);
        if (dialog.exec() == QDialog::Accepted)
            openStudy(dialog.database(), dialog.spec());
    });
    QAction* open = file->addAction(tr("&Open Study..."), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Study"), {}, tr("Quantscope studies (*.db)"));
        if (path.isEmpty())
            return;
        openStudyFile(path);
    });
    open->setToolTip(tr("Open a study file (SQLite): its study, or the one you choose when it holds several"));
    recent_ = file->addMenu(tr("Open &Recent"));
    connect(recent_, &QMenu::aboutToShow, this, [this] {
        recent_->clear();
        const QStringList entries = QSettings().value(QStringLiteral("recentStudies")).toStringList();
        for (const QString& entry : entries) { // "database|study"
            const QStringList parts = entry.split(QLatin1Char('|'));
            if (parts.size() != 2)
                continue;
            recent_->addAction(tr("%1 in %2").arg(parts[1], parts[0]), this, [this, parts] {
                StudySpec spec = StudySpec::defaults();
                spec.name = parts[1].toStdString();
                openStudy(parts[0], spec);
            });
        }
        recent_->setEnabled(!entries.isEmpty());
    });
    QAction* exportAction = file->addAction(tr("&Export..."), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
        if (!session_->isOpen())
            return;
        ExportDialog dialog(session_->study(), session_->trials(),
                            QString::fromStdString(whatIf_->configuration().toString()),
                            session_->results().observedFront, this);
        if (dialog.exec() == QDialog::Accepted) {
            const StudyExport request = dialog.request();
            log(tr("Writing %1 to %2 in the background")
                    .arg(QString::fromStdString(request.format), QString::fromStdString(request.path)));
            session_->exportStudy(request);
        }
    });
    exportAction->setToolTip(tr("Write the what-if configuration or all trials in a deployment format"));
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = whatIf_->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = whatIf_->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu* search = menuBar()->addMenu(tr("&Search"));
    QToolBar* toolbar = addToolBar(tr("Search"));
    toolbar->setObjectName(QStringLiteral("searchToolbar"));
    auto add = [&](const QString& text, const QKeySequence& key, const QString& tip, auto slot) {
        QAction* action = search->addAction(text, key, session_, slot);
        action->setToolTip(tip + QStringLiteral(" (") + key.toString(QKeySequence::NativeText) + QStringLiteral(")"));
        toolbar->addAction(action);
        return action;
    };
    QAction* propose = add(tr("Pr&opose"), QKeySequence(Qt::Key_F9),
                           tr("Show the next step's proposals and why, without running them"), &StudySession::propose);
    QAction* step = add(tr("&Step"), QKeySequence(Qt::Key_F10),
                        tr("Evaluate the proposals (accept), or propose and evaluate one step"), &StudySession::step);
    QAction* skip = add(tr("S&kip"), QKeySequence(Qt::Key_F8),
                        tr("Drop the pending proposals; edit one in the what-if editor and evaluate it instead"),
                        &StudySession::skipProposals);
    QAction* run = add(tr("&Run"), QKeySequence(Qt::Key_F5), tr("Run in the background until the budget is spent"),
                       &StudySession::run);
    QAction* pause =
        add(tr("&Pause"), QKeySequence(Qt::Key_F6), tr("Stop after the running evaluation"), &StudySession::pause);
    connect(pause, &QAction::triggered, this, [this] {
        pausing_ = true;
        log(tr("Pause asked for: the running evaluations finish first"));
        progress_->setFormat(tr("Pausing after this: ") + progress_->format());
    });
    QAction* cancel = add(tr("&Cancel"), QKeySequence(Qt::SHIFT | Qt::Key_F5),
                          tr("Stop now; the running evaluation is queued again"), &StudySession::cancel);
    search->addSeparator();
    QAction* extend = search->addAction(tr("E&xtend Budget..."), this, [this] {
        const StudySpec& spec = session_->study().spec;
        int done = 0;
        for (const TrialRow& t : session_->trials())
            done += t.status == TrialStatus::Done;
        bool ok = false;
        const int trials =
            QInputDialog::getInt(this, tr("Extend Budget"),
                                 tr("Stop after this many completed trials (%1 done, budget %2):")
                                     .arg(done)
                                     .arg(spec.budgetTrials ? QString::number(*spec.budgetTrials)
                                                            : tr("%1 s").arg(spec.budgetCost.value_or(0))),
                                 std::max(done + 10, spec.budgetTrials.value_or(0)), done + 1, 100000, 1, &ok);
        if (ok)
            session_->extendBudget(trials);
    });
    extend->setToolTip(tr("Let the study run further: its budget is the one setting that can change after creation"));
    auto updateEnabled = [=] {
        const bool idle = session_->isOpen() && !session_->busy();
        extend->setEnabled(idle);
        propose->setEnabled(idle);
        skip->setEnabled(idle);
        step->setEnabled(idle);
        run->setEnabled(idle);
        // Only what can act on the work under way: nothing to pause while a study opens.
        const StudySession::Activity activity = session_->activity();
        pause->setEnabled(activity == StudySession::Activity::Running);
        cancel->setEnabled(activity == StudySession::Activity::Running || activity == StudySession::Activity::Working);
    };
    connect(session_, &StudySession::busyChanged, this, updateEnabled);
    connect(session_, &StudySession::opened, this, updateEnabled);
    updateEnabled();

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* d : docks_)
        view->addAction(d->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Quantscope"), this, &MainWindow::showAbout);
}

void MainWindow::exportSelectedConfigurations()
{
    std::set<BitConfig> configs;
    for (const QModelIndex& index : trialsView_->selectionModel()->selectedRows())
        configs.insert(trialModel_->trial(trialFilter_->mapToSource(index).row()).bits);
    if (configs.empty())
        return;
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Export %n configuration(s) to", nullptr, int(configs.size())));
    if (folder.isEmpty())
        return;
    try {
        exportConfigurations({configs.begin(), configs.end()}, folder);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export"), QString::fromLocal8Bit(e.what()));
    }
}

void MainWindow::exportConfigurations(const std::vector<BitConfig>& configs, const QString& folder)
{
    for (const BitConfig& bits : configs) {
        StudyExport request;
        request.bits = bits;
        QString file = QString::fromStdString(bits.toString());
        file.replace(QLatin1Char(','), QLatin1Char('-'));
        request.path = QString(folder + QStringLiteral("/bits-") + file + QStringLiteral(".json")).toStdString();
        exportStudy(session_->study(), session_->trials(), request); // bits-json: quick, no model needed
    }
    log(tr("Exported %n configuration(s) to %1", nullptr, int(configs.size())).arg(folder));
}

void MainWindow::openStudy(const QString& database, const StudySpec& spec)
{
    log(tr("Opening %1 ...").arg(database));
    session_->open(database, spec);
}

void MainWindow::openStudyFile(const QString& database)
{
    std::vector<std::string> names;
    if (QFileInfo::exists(database)) {
        try {
            names = StudyStore::openForReading(database.toStdString()).studyNames();
        } catch (const std::exception&) {
            // Not a study file: the open below says what is wrong.
        }
    }
    StudySpec spec = StudySpec::defaults();
    const bool hasDefault = std::find(names.begin(), names.end(), spec.name) != names.end();
    if (names.size() == 1) {
        spec.name = names.front();
    } else if (names.size() > 1 && !hasDefault) {
        QStringList items;
        for (const std::string& name : names)
            items << QString::fromStdString(name);
        bool chosen = false;
        const QString name = QInputDialog::getItem(
            this, tr("Open Study"),
            tr("%1 holds %2 studies. Open:").arg(QFileInfo(database).fileName()).arg(names.size()), items, 0, false,
            &chosen);
        if (!chosen)
            return;
        spec.name = name.toStdString();
    }
    openStudy(database, spec);
}

void MainWindow::openStartupStudy()
{
    const QSettings settings;
    QString database = settings.value(QStringLiteral("lastStudy/database")).toString();
    StudySpec spec = StudySpec::defaults();
    if (!database.isEmpty() && QFileInfo::exists(database)) {
        spec.name =
            settings.value(QStringLiteral("lastStudy/name"), QStringLiteral("default")).toString().toStdString();
    } else {
        const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        QDir().mkpath(folder);
        database = folder + QStringLiteral("/quantscope.db");
    }
    openStudy(database, spec);
}

void MainWindow::showEvent(QShowEvent* event)
{
    QMainWindow::showEvent(event);
    if (layoutRestored_)
        return;
    layoutRestored_ = true; // once: later shows keep what the person arranged
    // Dock sizes apply once the window is laid out at its size: after this event.
    QTimer::singleShot(0, this, [this] {
        resizeDocks({docks_[0], docks_[2]}, {width() / 4, width() / 3}, Qt::Horizontal);
        resizeDocks({docks_[5]}, {height() / 4}, Qt::Vertical);
    });
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    session_->cancel(); // the running evaluation is queued again for next time
    QMainWindow::closeEvent(event);
}

void MainWindow::log(const QString& message)
{
    log_->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  ")) + message);
}

void MainWindow::selectTrialOf(const BitConfig& bits)
{
    const int target = session_->study().spec.targetTask();
    for (int row = 0; row < trialFilter_->rowCount(); ++row) {
        const TrialRow& t = trialModel_->trial(trialFilter_->mapToSource(trialFilter_->index(row, 0)).row());
        if (t.bits == bits && t.task == target) {
            trialsView_->selectRow(row);
            trialsView_->scrollTo(trialFilter_->index(row, 0));
            return;
        }
    }
}

void MainWindow::showConfiguration(const BitConfig& bits)
{
    const QString text = QString::fromStdString(bits.toString());
    try {
        whatIf_->setConfiguration(bits);
        statusBar()->showMessage(tr("%1 loaded into the what-if editor").arg(text), 5000);
    } catch (const std::exception& e) {
        log(tr("Cannot load %1: %2").arg(text, QString::fromLocal8Bit(e.what())));
    }
}

void MainWindow::updateTitle()
{
    const StudySpec& spec = session_->study().spec;
    setWindowTitle(tr("%1 — %2 — Quantscope").arg(QString::fromStdString(spec.name), subjectName(spec)));
}

void MainWindow::updateSummary()
{
    const StoredStudy& study = session_->study();
    int done = 0;
    double cost = 0;
    for (const TrialRow& t : session_->trials()) {
        done += t.status == TrialStatus::Done;
        cost += t.seconds.value_or(0);
    }
    cost += ebsSearchSeconds(session_->searchJobs());
    QString budget = study.spec.budgetTrials ? QStringLiteral("/%1").arg(*study.spec.budgetTrials) : QString();
    // How it searches: "nuq on bezier2", or the ebs strategy's search jobs (which have no encoding).
    const QString search = study.spec.strategy == "ebs"
        ? (session_->searchJobs().size() == 1 ? tr("1 EBS search job")
                                              : tr("%1 EBS search jobs").arg(session_->searchJobs().size()))
        : tr("%1 on %2").arg(QString::fromStdString(study.spec.strategy), QString::fromStdString(study.spec.encoding));
    const DataSummary& data = session_->data();
    summary_->setToolTip(data.empty() ? QString()
                                      : QString::fromStdString(data.oneLine() + "\n\n" + data.table()).trimmed());
    const QString subject = data.empty() || study.spec.data.kind() != DatasetKind::ImageFolder
        ? subjectName(study.spec)
        : tr("%1, %2 classes").arg(subjectName(study.spec)).arg(data.classes.size());
    summary_->setText(tr("%1 (%6): %2%3 trials done, cost %4 s, %5")
                          .arg(QString::fromStdString(study.spec.name))
                          .arg(done)
                          .arg(budget)
                          .arg(cost, 0, 'f', 0)
                          .arg(search, subject));
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Quantscope"),
                       tr("<b>Quantscope %1</b><p>Mixed-precision quantization search with multi-task Gaussian "
                          "processes.</p><p>Qt %2</p>")
                           .arg(QStringLiteral(QUANTSCOPE_VERSION), QString::fromLatin1(qVersion())));
}

} // namespace quantscope
