// A scripted workbench session on a synthetic study: open, step twice, run in the background to
// the budget; the trials model and the Pareto view follow; the GUI thread never stalls; cancel
// stops within one evaluation and loses nothing.
#include "export_dialog.h"
#include "model_check_view.h"
#include "new_study_dialog.h"
#include "pareto_plot.h"
#include "plot_export.h"
#include "posterior_view.h"
#include "sensitivity_view.h"
#include "stall_meter.h"
#include "study_session.h"
#include "trial_table_model.h"
#include "what_if_editor.h"

#include <QAbstractItemModelTester>
#include <qcustomplot.h>
#include <QElapsedTimer>
#include <QTest>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoStack>

#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.h"

namespace quantscope {
namespace {

StudySpec syntheticSpec(int budget, double delay)
{
    StudySpec spec = StudySpec::synthetic();
    spec.name = "gui";
    spec.budgetTrials = budget;
    spec.syntheticDelay = delay;
    return spec;
}

/// Waits (running the event loop) until `session` is idle; false after `ms`.
bool waitIdle(StudySession& session, int ms)
{
    QElapsedTimer clock;
    clock.start();
    while (session.busy() && clock.elapsed() < ms) {
        QSignalSpy spy(&session, &StudySession::busyChanged);
        spy.wait(50);
    }
    return !session.busy();
}

/// Opens (creating) study `spec` in `file` of `dir` and waits until it is ready.
bool openStudy(StudySession& session, const QTemporaryDir& dir, const char* file, const StudySpec& spec)
{
    session.open(dir.filePath(QString::fromLatin1(file)), spec);
    return waitIdle(session, 30000) && session.isOpen();
}

/// Longest gap between ticks of a 5 ms timer on the GUI thread while it runs.
TEST(StudySession, ScriptedSessionStepsRunsAndUpdatesTheViews)
{
    QTemporaryDir dir;
    StudySession session;
    TrialTableModel trials;
    QAbstractItemModelTester tester(&trials, QAbstractItemModelTester::FailureReportingMode::Fatal);
    ParetoPlot pareto;
    PosteriorView posterior;
    ModelCheckView check;
    QObject::connect(&session, &StudySession::opened, [&] {
        posterior.setStudy(session.study());
        check.setStudy(session.study());
    });
    QObject::connect(&session, &StudySession::trialsChanged, [&] { trials.setTrials(session.trials()); });
    QObject::connect(&session, &StudySession::resultsChanged, [&] {
        pareto.setData(session.trials(), session.results());
        posterior.setData(session.trials(), session.results());
        check.setData(session.results());
    });

    ASSERT_TRUE(openStudy(session, dir, "gui.db", syntheticSpec(12, 0.02)));
    EXPECT_EQ(session.study().layers.size(), 9u);

    session.step();
    ASSERT_TRUE(waitIdle(session, 30000));
    const int afterOne = trials.rowCount();
    EXPECT_GE(afterOne, 1);
    session.step();
    ASSERT_TRUE(waitIdle(session, 30000));
    EXPECT_GT(trials.rowCount(), afterOne);

    test::StallMeter meter;
    session.run();
    ASSERT_TRUE(waitIdle(session, 120000));
    meter.stop();
    EXPECT_LT(meter.longestCpuMs(), 100) << "the GUI thread stalled";
    EXPECT_LT(meter.longestWallMs(), 1000) << "the GUI thread stalled";

    int done = 0;
    for (const TrialRow& t : session.trials())
        done += t.status == TrialStatus::Done;
    EXPECT_EQ(done, 12);
    EXPECT_EQ(trials.rowCount(), 12);
    EXPECT_EQ(trials.data(trials.index(11, TrialTableModel::Status)).toString(), QStringLiteral("done"));
    // The Pareto view shows the target-task trials and the GP's predicted front.
    int onTarget = 0;
    for (const TrialRow& t : session.trials())
        onTarget += t.status == TrialStatus::Done && t.task == session.results().targetTask;
    EXPECT_EQ(pareto.observedCount(), onTarget);
    EXPECT_GE(pareto.frontCount(), 1);
    EXPECT_GT(pareto.predictedCount(), 0);
    // The posterior view shows the target task's GP over the plane, its trials, the ranking and
    // the 4 x 4 task correlations.
    EXPECT_EQ(posterior.heatCells(), PosteriorView::kGrid * PosteriorView::kGrid);
    EXPECT_EQ(posterior.observedPoints(), onTarget);
    EXPECT_EQ(posterior.rankingRows(), int(session.results().ranking.size()));
    EXPECT_EQ(posterior.correlationSize(), 4);
    // The model check shows every target-task trial's leave-one-out prediction, with its coverage
    // once there are enough of them, and says so when there are not.
    EXPECT_EQ(check.points(), onTarget);
    if (onTarget >= ModelCheckView::kMinimumTrials)
        EXPECT_TRUE(check.summary().contains(QStringLiteral("inside their 95 % interval")))
            << check.summary().toStdString();
    else
        EXPECT_TRUE(check.summary().contains(QStringLiteral("needs 3"))) << check.summary().toStdString();
    check.setTask(0);
    int onCheap = 0;
    for (const TrialRow& t : session.trials())
        onCheap += t.status == TrialStatus::Done && t.task == 0;
    EXPECT_EQ(check.points(), onCheap);
    EXPECT_EQ(check.csv().count(QLatin1Char('\n')), onCheap + 1);
    // Every plot saves as PNG, PDF and CSV.
    QTemporaryDir out;
    for (const QString& name :
         {QStringLiteral("pareto.png"), QStringLiteral("pareto.pdf"), QStringLiteral("pareto.csv")}) {
        ASSERT_TRUE(savePlot(*pareto.plot(), out.filePath(name), [&] { return pareto.csv(); })) << name.toStdString();
        EXPECT_GT(QFileInfo(out.filePath(name)).size(), 100) << name.toStdString();
    }
    QFile csv(out.filePath(QStringLiteral("pareto.csv")));
    ASSERT_TRUE(csv.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    EXPECT_EQ(lines.front(), QStringLiteral("series,config,memory_mb,top1"));
    EXPECT_EQ(lines.size() - 1, onTarget + pareto.predictedCount() + int(session.results().baselines.size()));
    EXPECT_EQ(posterior.csv().count(QLatin1Char('\n')), 1 + PosteriorView::kGrid * PosteriorView::kGrid);
    // The colour scales span the numbers shown (a fixed 10-90 scale drew 92.2-92.6 in one colour).
    EXPECT_DOUBLE_EQ(posterior.meanColourRange().first, posterior.gridMean().minCoeff());
    EXPECT_DOUBLE_EQ(posterior.meanColourRange().second, posterior.gridMean().maxCoeff());
    EXPECT_DOUBLE_EQ(posterior.sdColourRange().first, posterior.gridSd().minCoeff());
    EXPECT_DOUBLE_EQ(posterior.sdColourRange().second, posterior.gridSd().maxCoeff());
    EXPECT_FALSE(savePlot(*pareto.plot(), out.filePath(QStringLiteral("pareto.bmp")), [] { return QString(); }));
    posterior.setTask(0);
    int onTaskZero = 0;
    for (const TrialRow& t : session.trials())
        onTaskZero += t.status == TrialStatus::Done && t.task == 0;
    EXPECT_EQ(posterior.observedPoints(), onTaskZero);
}

TEST(StudySession, WhatIfEditorPredictsUndoesAndEvaluates)
{
    QTemporaryDir dir;
    StudySession session;
    ASSERT_TRUE(openStudy(session, dir, "whatif.db", syntheticSpec(10, 0)));
    session.run();
    ASSERT_TRUE(waitIdle(session, 60000));
    WhatIfEditor editor;
    editor.setStudy(session.study());
    editor.setSurrogate(session.results().surrogate);
    const size_t layers = session.study().layers.size();
    ASSERT_EQ(editor.predictedMean().size(), 4u); // one prediction per task
    const double eightBitMemory = editor.memoryMB();
    editor.setConfiguration(BitConfig::uniform(4, layers));
    EXPECT_LT(editor.memoryMB(), eightBitMemory);
    EXPECT_EQ(editor.configuration().toString(), BitConfig::uniform(4, layers).toString());
    for (double sd : editor.predictedSd())
        EXPECT_GT(sd, 0);
    editor.undoStack()->undo();
    EXPECT_EQ(editor.configuration().toString(), BitConfig::uniform(8, layers).toString());
    EXPECT_DOUBLE_EQ(editor.memoryMB(), eightBitMemory);
    editor.undoStack()->redo();
    EXPECT_EQ(editor.configuration().toString(), BitConfig::uniform(4, layers).toString());

    // "Evaluate now" adds a real trial of the edited configuration.
    QObject::connect(&editor, &WhatIfEditor::evaluateRequested, &session, &StudySession::evaluate);
    const size_t before = session.trials().size();
    Q_EMIT editor.evaluateRequested(editor.configuration(), 3);
    ASSERT_TRUE(waitIdle(session, 30000));
    ASSERT_EQ(session.trials().size(), before + 1);
    const TrialRow added = session.trials().back(); // a copy: the session's list is replaced
    EXPECT_EQ(added.bits, editor.configuration());
    EXPECT_EQ(added.task, 3);
    EXPECT_EQ(added.status, TrialStatus::Done);

    // The measurement is shown beside its prediction; other tasks of it were not measured.
    EXPECT_FALSE(editor.measured().at(3).has_value()) << "before the editor hears of the trial";
    editor.setTrials(session.trials());
    ASSERT_TRUE(editor.measured().at(3).has_value());
    EXPECT_DOUBLE_EQ(*editor.measured()[3], *added.accuracy);
    bool otherTaskMeasured = false;
    for (const TrialRow& t : session.trials())
        otherTaskMeasured |= t.bits == added.bits && t.task == 1 && t.status == TrialStatus::Done;
    EXPECT_EQ(editor.measured()[1].has_value(), otherTaskMeasured);
    // A budget with no trial of its own says so beside its (cautious, wide) interval.
    std::vector<int> perBudget(4, 0);
    for (const TrialRow& t : session.trials())
        perBudget[size_t(t.task)] += t.status == TrialStatus::Done;
    EXPECT_EQ(editor.budgetTrials(), perBudget);
    const int untrained = int(std::count(perBudget.begin(), perBudget.end(), 0));
    ASSERT_GT(untrained, 0) << "the seeded study trained every budget; the check needs one without trials";
    EXPECT_EQ(editor.predictionText().count(QStringLiteral("no trial on this budget yet")), untrained)
        << editor.predictionText().toStdString();
    // A second evaluation of it on the same task: the mean of both.
    Q_EMIT editor.evaluateRequested(editor.configuration(), 3);
    ASSERT_TRUE(waitIdle(session, 30000));
    editor.setTrials(session.trials());
    const double second = *session.trials().back().accuracy;
    EXPECT_DOUBLE_EQ(*editor.measured()[3], (*added.accuracy + second) / 2);
    const BitConfig untried = BitConfig::uniform(7, layers);
    for (const TrialRow& t : session.trials())
        ASSERT_FALSE(t.bits == untried) << "the seeded study tried uniform 7-bit; pick another";
    editor.setConfiguration(untried);
    for (const auto& m : editor.measured())
        EXPECT_FALSE(m.has_value());
}

TEST(StudySession, ExportDialogWarnsAndTheSessionWritesInTheBackground)
{
    QTemporaryDir dir;
    StudySession session;
    ASSERT_TRUE(openStudy(session, dir, "export.db", syntheticSpec(6, 0)));
    session.run();
    ASSERT_TRUE(waitIdle(session, 30000));

    ExportDialog dialog(session.study(), session.trials(), QStringLiteral("8,6,6,4,4,3,3,2,8"));
    dialog.setFormat(QStringLiteral("bits-json"));
    // One warning per kind, naming its layers: 6-, 4-, 3- and 2-bit (after the DSConv quantizer's).
    EXPECT_TRUE(dialog.warnings().contains(
        QStringLiteral("layers layer1, layer2: 6-bit weights and activations are simulated only")))
        << dialog.warnings().toStdString();
    EXPECT_TRUE(dialog.warnings().contains(QStringLiteral("layers layer3, layer4: 4-bit")));
    EXPECT_TRUE(dialog.warnings().contains(QStringLiteral("layer layer7: 2-bit")));
    EXPECT_EQ(dialog.warnings().count(QLatin1Char('\n')), 4); // the quantizer's line, then four kinds
    dialog.setFormat(QStringLiteral("trials-csv"));
    EXPECT_TRUE(dialog.warnings().isEmpty());

    // The measured front's points are offered beside the what-if configuration.
    ExportDialog choosing(session.study(), session.trials(), QStringLiteral("8"), session.results().observedFront);
    ASSERT_EQ(choosing.choices()->count(), 1 + int(session.results().observedFront.size()));
    ASSERT_GE(choosing.choices()->count(), 2);
    choosing.choices()->setCurrentIndex(1);
    Q_EMIT choosing.choices()->activated(1);
    EXPECT_EQ(choosing.configuration().toStdString(), session.results().observedFront.front().bits.toString());

    QSignalSpy exported(&session, &StudySession::exported);
    QSignalSpy failed(&session, &StudySession::failed);
    dialog.setPath(dir.filePath(QStringLiteral("trials.csv")));
    session.exportStudy(dialog.request());
    ASSERT_TRUE(waitIdle(session, 30000));
    ASSERT_EQ(exported.count(), 1);
    EXPECT_GT(QFileInfo(dir.filePath(QStringLiteral("trials.csv"))).size(), 100);
    dialog.setFormat(QStringLiteral("torchscript"));
    dialog.setPath(dir.filePath(QStringLiteral("model.pt")));
    session.exportStudy(dialog.request());
    ASSERT_TRUE(waitIdle(session, 30000));
    ASSERT_EQ(failed.count(), 1);
    EXPECT_TRUE(failed.at(0).at(0).toString().contains(QStringLiteral("needs a study of a real model")));
    EXPECT_FALSE(QFileInfo::exists(dir.filePath(QStringLiteral("model.pt"))));
}

TEST(StudySession, ExtendedBudgetLetsTheStudyRunFurther)
{
    QTemporaryDir dir;
    StudySession session;
    ASSERT_TRUE(openStudy(session, dir, "extend.db", syntheticSpec(5, 0)));
    session.run();
    ASSERT_TRUE(waitIdle(session, 30000));
    const auto done = [&] {
        return std::count_if(session.trials().begin(), session.trials().end(),
                             [](const TrialRow& t) { return t.status == TrialStatus::Done; });
    };
    ASSERT_EQ(done(), 5);
    session.extendBudget(8);
    ASSERT_TRUE(waitIdle(session, 30000));
    EXPECT_EQ(session.study().spec.budgetTrials, 8);
    session.run();
    ASSERT_TRUE(waitIdle(session, 30000));
    EXPECT_EQ(done(), 8);
}

TEST(StudySession, ProposalsCanBeSkippedOrAccepted)
{
    QTemporaryDir dir;
    StudySession session;
    ASSERT_TRUE(openStudy(session, dir, "propose.db", syntheticSpec(10, 0)));
    session.propose();
    ASSERT_TRUE(waitIdle(session, 30000));
    std::vector<TrialRow> pending;
    for (const TrialRow& t : session.trials())
        if (t.status == TrialStatus::Pending)
            pending.push_back(t);
    ASSERT_FALSE(pending.empty());
    EXPECT_FALSE(pending.front().reason.empty()); // why it was chosen
    session.skipProposals();
    ASSERT_TRUE(waitIdle(session, 30000));
    for (const TrialRow& t : session.trials()) {
        EXPECT_EQ(t.status, TrialStatus::Failed);
        EXPECT_EQ(t.error, "skipped by the user");
    }
    session.propose();
    ASSERT_TRUE(waitIdle(session, 30000));
    const size_t proposed = session.trials().size();
    EXPECT_GT(proposed, pending.size());
    session.step(); // accept: the pending proposals are evaluated, nothing new is proposed
    ASSERT_TRUE(waitIdle(session, 30000));
    EXPECT_EQ(session.trials().size(), proposed);
    for (size_t i = pending.size(); i < proposed; ++i)
        EXPECT_EQ(session.trials()[i].status, TrialStatus::Done);
}

TEST(StudySession, CancelStopsWithinOneEvaluationAndRequeues)
{
    QTemporaryDir dir;
    StudySession session;
    ASSERT_TRUE(openStudy(session, dir, "cancel.db", syntheticSpec(20, 2.0)));
    session.run();
    QSignalSpy started(&session, &StudySession::trialsChanged);
    ASSERT_TRUE(started.wait(10000)); // proposals stored: the first evaluation is running
    QElapsedTimer clock;
    clock.start();
    session.cancel();
    ASSERT_TRUE(waitIdle(session, 10000));
    EXPECT_LT(clock.elapsed(), 2000) << "cancel waited for the 2 s evaluation";
    for (const TrialRow& t : session.trials())
        EXPECT_NE(t.status, TrialStatus::Running);
}

// A Slurm study's trials show the queue job they run as.
TEST(TrialTableModel, StatusNamesTheQueueJob)
{
    TrialTableModel table;
    TrialRow running;
    running.id = 3;
    running.bits = BitConfig::uniform(4, 2);
    running.status = TrialStatus::Running;
    running.job = "4711";
    TrialRow local = running;
    local.id = 4;
    local.job.clear();
    table.setTrials({running, local});
    EXPECT_EQ(table.data(table.index(0, TrialTableModel::Status)).toString(), QStringLiteral("running (job 4711)"));
    EXPECT_EQ(table.data(table.index(1, TrialTableModel::Status)).toString(), QStringLiteral("running"));
}

TEST(SensitivityView, DrawsEveryLayerAndWidth)
{
    SensitivityReport report;
    report.bits = {2, 4, 8};
    report.floatAccuracy = 90;
    report.images = 100;
    for (const char* name : {"conv0", "conv1", "fc"}) {
        LayerSensitivity layer;
        layer.layer = name;
        layer.accuracyDrop = {10, 1, 0};
        layer.hessianTrace = 0.5;
        report.layers.push_back(layer);
    }
    SensitivityView view;
    view.setReport(report);
    EXPECT_EQ(view.cellCount(), 9);
    view.clear(QStringLiteral("none"));
    EXPECT_EQ(view.cellCount(), 0);
    // A cleared view (a new study without sensitivity) keeps no layer or bit names on its axes.
    for (QCustomPlot* plot : view.findChildren<QCustomPlot*>())
        for (QCPAxis* axis : {plot->xAxis, plot->yAxis})
            EXPECT_TRUE(axis->ticker().dynamicCast<QCPAxisTickerText>().isNull());
}

TEST(StudySession, SensitivityOfASyntheticStudyIsRefusedWithAReason)
{
    QTemporaryDir dir;
    StudySession session;
    ASSERT_TRUE(openStudy(session, dir, "s.db", syntheticSpec(3, 0)));
    QSignalSpy failed(&session, &StudySession::failed);
    session.computeSensitivity();
    ASSERT_TRUE(waitIdle(session, 30000));
    ASSERT_EQ(failed.count(), 1);
    EXPECT_TRUE(failed.at(0).at(0).toString().contains(QStringLiteral("torch evaluator")));
}

TEST(NewStudyDialog, BuildsTheSpecAndNamesABadField)
{
    NewStudyDialog dialog(QStringLiteral("/tmp/x.db"));
    dialog.setModel(QStringLiteral(QUANTSCOPE_TEST_DATA "/torchscript/residual.pt"), QStringLiteral("0.2860"),
                    QStringLiteral("0.3530"));
    dialog.setBudget(12);
    const StudySpec spec = dialog.spec();
    EXPECT_EQ(spec.model, QUANTSCOPE_TEST_DATA "/torchscript/residual.pt");
    ASSERT_EQ(spec.inputMean.size(), 1u);
    EXPECT_FLOAT_EQ(spec.inputStd[0], 0.3530f);
    EXPECT_EQ(*spec.budgetTrials, 12);
    EXPECT_EQ(spec.tasks.size(), StudySpec::defaults().tasks.size());
    EXPECT_EQ(spec.initialCheap, StudySpec::defaults().initialCheap); // the design and baselines as the default study
    EXPECT_EQ(spec.initialTarget, StudySpec::defaults().initialTarget);
    EXPECT_TRUE(spec.measureBaselines);
    dialog.setModel({}, QStringLiteral("zero"));
    EXPECT_THROW(dialog.spec(), ConfigError);
    dialog.setModel({});
    dialog.removeAllTasks();
    EXPECT_THROW(dialog.spec(), ConfigError);
    dialog.accept(); // stays open with the reason
    EXPECT_NE(dialog.result(), QDialog::Accepted);
}

TEST(StudySession, ABadDatabaseIsReportedNotFatal)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("not-a-study.db"));
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(4096, 'x'));
    file.close();
    StudySession session;
    QSignalSpy failed(&session, &StudySession::failed);
    session.open(path, syntheticSpec(3, 0));
    ASSERT_TRUE(waitIdle(session, 10000));
    ASSERT_EQ(failed.count(), 1);
    EXPECT_TRUE(failed.at(0).at(0).toString().contains(QStringLiteral("not a Quantscope study")));
    EXPECT_FALSE(session.isOpen());
}

/// A failed open (or create) leaves the study that was open on screen and usable, and no file.
TEST(StudySession, AFailedOpenKeepsTheOpenStudyUsable)
{
    QTemporaryDir dir;
    StudySession session;
    ASSERT_TRUE(openStudy(session, dir, "good.db", syntheticSpec(5, 0)));
    QSignalSpy failed(&session, &StudySession::failed);
    QSignalSpy opened(&session, &StudySession::opened);
    StudySpec bad = syntheticSpec(5, 0);
    bad.name = "bad";
    bad.model = "/nonexistent/model.pt";
    bad.evaluator = "torch";
    const QString badFile = dir.filePath(QStringLiteral("bad.db"));
    session.open(badFile, bad);
    EXPECT_EQ(session.activity(), StudySession::Activity::Opening); // nothing to pause or cancel
    ASSERT_TRUE(waitIdle(session, 30000));
    EXPECT_EQ(session.activity(), StudySession::Activity::Idle);
    ASSERT_EQ(failed.count(), 1);
    EXPECT_EQ(opened.count(), 0);
    EXPECT_TRUE(session.isOpen());
    EXPECT_EQ(session.study().spec.name, "gui");
    EXPECT_TRUE(session.database().endsWith(QStringLiteral("good.db")));
    EXPECT_FALSE(QFileInfo::exists(badFile)) << "a failed create left its file behind";
    session.step();
    ASSERT_TRUE(waitIdle(session, 30000));
    EXPECT_EQ(session.trials().size(), 1u);
}

/// A study with two workers, opened in the workbench, evaluates two trials at once (each in a
/// worker process), as `study run` does.
// A trial reads "running" in the trial table while it is evaluated, not only once it is done.
TEST(StudySession, TheRunningTrialReadsRunning)
{
    QTemporaryDir dir;
    StudySession session;
    TrialTableModel table;
    QObject::connect(&session, &StudySession::trialsChanged, [&] { table.setTrials(session.trials()); });
    StudySpec spec = StudySpec::synthetic();
    spec.budgetTrials = 3;
    spec.syntheticDelay = 0.5;
    ASSERT_TRUE(openStudy(session, dir, "running.db", spec));
    session.step();
    const auto statusOfFirst = [&] {
        return table.rowCount() > 0 ? table.data(table.index(0, TrialTableModel::Status)).toString() : QString();
    };
    QElapsedTimer clock;
    clock.start();
    while (statusOfFirst() != QStringLiteral("running") && clock.elapsed() < 10000)
        QTest::qWait(10);
    EXPECT_EQ(statusOfFirst().toStdString(), "running");
    ASSERT_TRUE(waitIdle(session, 30000));
    EXPECT_EQ(statusOfFirst().toStdString(), "done");
}

TEST(StudySession, TwoWorkersEvaluateTwoTrialsAtOnce)
{
    QTemporaryDir dir;
    StudySession session;
    session.setWorkerProgram(QStringLiteral(QUANTSCOPE_CLI));
    StudySpec spec = syntheticSpec(4, 1.0);
    spec.workers = 2;
    ASSERT_TRUE(openStudy(session, dir, "workers.db", spec));
    session.run();
    ASSERT_TRUE(waitIdle(session, 120000));
    std::vector<TrialRow> done;
    for (const TrialRow& t : session.trials())
        if (t.status == TrialStatus::Done)
            done.push_back(t);
    ASSERT_EQ(done.size(), 4u);
    int overlapping = 0;
    for (size_t a = 0; a < done.size(); ++a)
        for (size_t b = a + 1; b < done.size(); ++b)
            overlapping += done[a].startedAt < done[b].finishedAt && done[b].startedAt < done[a].finishedAt;
    EXPECT_GE(overlapping, 1) << "no two evaluations ran at the same time";
}

TEST(ExportDialog, ABadFieldKeepsTheDialogOpenWithItsInput)
{
    QTemporaryDir dir;
    StudySession session;
    ASSERT_TRUE(openStudy(session, dir, "s.db", syntheticSpec(3, 0)));
    ExportDialog dialog(session.study(), session.trials(), QStringLiteral("8,8,8,8,8,8,8,8,8"));
    dialog.setFormat(QStringLiteral("bits-json"));
    dialog.setPath(QStringLiteral("/nonexistent-folder/out.json"));
    dialog.accept();
    EXPECT_NE(dialog.result(), QDialog::Accepted);
    EXPECT_TRUE(dialog.errorText().contains(QStringLiteral("does not exist"))) << dialog.errorText().toStdString();
    EXPECT_EQ(dialog.request().bits->toString(), "8,8,8,8,8,8,8,8,8");
    dialog.setPath(dir.filePath(QStringLiteral("out.json")));
    dialog.accept();
    EXPECT_EQ(dialog.result(), QDialog::Accepted);
}

TEST(NewStudyDialog, ANameTheFileAlreadyHasKeepsTheDialogOpen)
{
    QTemporaryDir dir;
    {
        StudySession session;
        ASSERT_TRUE(openStudy(session, dir, "s.db", syntheticSpec(3, 0)));
    }
    NewStudyDialog dialog(dir.filePath(QStringLiteral("s.db")));
    dialog.setEvaluator(QStringLiteral("synthetic"));
    dialog.setName(QStringLiteral("gui"));
    dialog.accept();
    EXPECT_NE(dialog.result(), QDialog::Accepted);
    EXPECT_TRUE(dialog.errorText().contains(QStringLiteral("already has a study 'gui'")))
        << dialog.errorText().toStdString();
    dialog.setName(QStringLiteral("another"));
    dialog.accept();
    EXPECT_EQ(dialog.result(), QDialog::Accepted);
}

/// A folder of two classes of `count` grey `size` x `size` PGM images each (a format every image
/// folder reader takes, written without an encoder).
void writePgmFolder(const QString& root, int count, int size)
{
    for (const char* name : {"bags", "shoes"}) {
        QDir(root).mkpath(QString::fromLatin1(name));
        for (int i = 0; i < count; ++i) {
            QFile file(QStringLiteral("%1/%2/%3.pgm").arg(root, QString::fromLatin1(name)).arg(i));
            ASSERT_TRUE(file.open(QIODevice::WriteOnly));
            file.write(QStringLiteral("P5 %1 %1 255\n").arg(size).toLatin1());
            QByteArray pixels(size * size, char(0));
            for (int p = 0; p < pixels.size(); ++p)
                pixels[p] = char((p * (i + 3) + (name[0] == 'b' ? 0 : 128)) % 256);
            file.write(pixels);
        }
    }
}

TEST(NewStudyDialog, AnImageFolderStudyIsDefinedCheckedAndRuns)
{
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("images"));
    writePgmFolder(images, 8, 28);
    NewStudyDialog dialog(dir.filePath(QStringLiteral("s.db")));
    dialog.setName(QStringLiteral("folder"));
    dialog.setData(QStringLiteral("imagefolder"), images);
    dialog.setBudget(2);
    dialog.accept(); // the default search split of 2,000 images is more than the folder holds
    EXPECT_NE(dialog.result(), QDialog::Accepted);
    EXPECT_TRUE(dialog.errorText().contains(QStringLiteral("has 16 images: a search split of 2000")))
        << dialog.errorText().toStdString();
    dialog.setSearchSize(4);
    StudySpec spec = dialog.spec();
    EXPECT_EQ(spec.data.dataset, "imagefolder");
    EXPECT_EQ(spec.data.dataDir, images.toStdString());
    EXPECT_EQ(spec.data.searchSize, 4u);
    dialog.accept(); // the shipped model takes 1x28x28: the folder fits
    EXPECT_EQ(dialog.result(), QDialog::Accepted) << dialog.errorText().toStdString();

    // A crop the shipped model cannot take is refused in the dialog, naming both shapes.
    NewStudyDialog wrong(dir.filePath(QStringLiteral("s.db")));
    wrong.setData(QStringLiteral("imagefolder"), images, QStringLiteral("40"), QStringLiteral("32"));
    wrong.accept();
    EXPECT_NE(wrong.result(), QDialog::Accepted);
    EXPECT_TRUE(wrong.errorText().contains(QStringLiteral("model expects 1x28x28 input but imagefolder has 1x32x32")))
        << wrong.errorText().toStdString();

    // The study opens on the folder, says what it holds, and evaluates a trial.
    spec.tasks = {{"quantize only", 0, 1.0}, {"5 steps", 5, 2.0}};
    spec.initialCheap = 1;
    spec.initialTarget = 1;
    spec.measureBaselines = false;
    StudySession session;
    ASSERT_TRUE(openStudy(session, dir, "s.db", spec));
    session.step();
    ASSERT_TRUE(waitIdle(session, 60000));
    EXPECT_EQ(session.data().classes, (std::vector<std::string>{"bags", "shoes"}));
    EXPECT_EQ(session.data().oneLine(), "2 classes, 9 training, 4 search and 3 hold-out images of 1x28x28");
    ASSERT_FALSE(session.trials().empty());
    EXPECT_EQ(session.trials().front().status, TrialStatus::Done);
}

} // namespace
} // namespace quantscope
