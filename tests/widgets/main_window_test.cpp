// The real workbench window, scripted: the default study (synthetic evaluator) opened, two steps,
// a background run to the budget; the layer table, the posterior and Pareto views follow.
#include "layer_table_model.h"
#include "main_window.h"
#include "model_check_view.h"
#include "pareto_plot.h"
#include "posterior_view.h"
#include "sensitivity_view.h"
#include "stall_meter.h"
#include "study_session.h"
#include "trial_table_model.h"
#include "what_if_editor.h"

#include <qcustomplot.h>

#include "study/study_store.h"
#include "study/synthetic_trial_evaluator.h"
#include "train/sensitivity.h"

#include <QAction>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QSpinBox>
#include <QDockWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QElapsedTimer>
#include <QSettings>
#include <QTest>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include <gtest/gtest.h>

namespace quantscope {
namespace {

bool waitFor(const std::function<bool()>& done, int ms)
{
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < ms)
        QTest::qWait(20);
    return done();
}

TEST(MainWindow, ScriptedSessionReachesEveryPanel)
{
    QTemporaryDir dir;
    MainWindow window;
    window.show();
    StudySession& session = *window.session();
    StudySpec spec = StudySpec::synthetic(); // the default study, with the synthetic evaluator
    spec.budgetTrials = 16;
    spec.syntheticDelay = 0.02;
    window.openStudy(dir.filePath(QStringLiteral("w.db")), spec);
    ASSERT_TRUE(waitFor([&] { return session.isOpen() && !session.busy(); }, 30000));
    EXPECT_EQ(window.layerModel()->rowCount(), 9);

    for (int i = 0; i < 2; ++i) {
        session.step();
        ASSERT_TRUE(waitFor([&] { return !session.busy(); }, 30000));
    }
    const int afterSteps = window.trialModel()->rowCount();
    EXPECT_GE(afterSteps, 2);

    // Background run: the GUI thread keeps serving a 5 ms timer.
    test::StallMeter meter;
    session.run();
    ASSERT_TRUE(waitFor([&] { return session.busy(); }, 5000) || window.trialModel()->rowCount() > afterSteps);
    ASSERT_TRUE(waitFor([&] { return !session.busy(); }, 120000));
    meter.stop();
    std::cout << "longest GUI-thread stall during the run: " << meter.longestCpuMs() << " ms of its own work, "
              << meter.longestWallMs() << " ms of wall time" << std::endl;
    EXPECT_LT(meter.longestCpuMs(), 100);
    EXPECT_LT(meter.longestWallMs(), 1000);

    EXPECT_EQ(window.trialModel()->rowCount(), 16);
    int onTarget = 0;
    for (const TrialRow& t : session.trials())
        onTarget += t.status == TrialStatus::Done && t.task == 3;
    QTest::qWait(100); // the throttled replots
    EXPECT_EQ(window.pareto()->observedCount(), onTarget);
    EXPECT_EQ(window.posterior()->observedPoints(), onTarget);
    EXPECT_EQ(window.posterior()->correlationSize(), 4);
    EXPECT_GT(window.posterior()->acquisitionValues(), 0); // NUQ's information per unit cost

    // Opened again, as a person reopens yesterday's study: the views show its results (they reset
    // when a study opens, so results must not arrive before that).
    {
        MainWindow reopened;
        reopened.openStudy(dir.filePath(QStringLiteral("w.db")), spec);
        StudySession& again = *reopened.session();
        ASSERT_TRUE(waitFor([&] { return again.isOpen() && !again.busy() && again.results().hasSurrogate; }, 30000));
        QTest::qWait(100);
        EXPECT_EQ(reopened.pareto()->observedCount(), onTarget);
        EXPECT_EQ(reopened.posterior()->observedPoints(), onTarget);
        EXPECT_EQ(reopened.modelCheck()->points(), onTarget) << reopened.modelCheck()->summary().toStdString();
    }

    // A click on a front point loads it into the what-if editor and the layer table.
    const BitConfig clicked = session.results().observedFront.front().bits;
    Q_EMIT window.pareto()->configurationClicked(clicked);
    EXPECT_EQ(window.whatIf()->configuration(), clicked);
    // ... selects its trial in the table, and the selected trial's point is marked.
    ASSERT_TRUE(window.trialsView()->selectionModel()->currentIndex().isValid());
    EXPECT_EQ(window.trialModel()
                  ->trial(static_cast<QSortFilterProxyModel*>(window.trialsView()->model())
                              ->mapToSource(window.trialsView()->selectionModel()->currentIndex())
                              .row())
                  .bits,
              clicked);
    EXPECT_GE(window.pareto()->highlightedPoints(), 1);
    const BitConfig bits = window.whatIf()->configuration();
    EXPECT_EQ(window.layerModel()->data(window.layerModel()->index(0, LayerTableModel::Bits)).toString(),
              bits[0].weight == 0 ? QStringLiteral("float") : QString::number(bits[0].weight));
    EXPECT_EQ(window.whatIf()->predictedMean().size(), 4u);

    // Several configurations picked in the Pareto view (Ctrl+click) and exported at once.
    QTemporaryDir out;
    const BitConfig first = session.results().observedFront.front().bits;
    BitConfig second;
    for (const ResultPoint& p : session.results().baselines)
        if (p.bits != first)
            second = p.bits;
    window.pareto()->toggleSelected(first);
    window.pareto()->toggleSelected(second);
    const std::vector<BitConfig> configs = window.pareto()->selectedConfigurations();
    ASSERT_EQ(configs.size(), 2u);
    window.exportConfigurations(configs, out.path());
    for (const BitConfig& bits : configs) {
        QString file = QString::fromStdString(bits.toString()).replace(QLatin1Char(','), QLatin1Char('-'));
        EXPECT_TRUE(QFileInfo::exists(out.filePath(QStringLiteral("bits-") + file + QStringLiteral(".json"))));
    }
}

// New Study or Open Study after another study: every view shows the new study, nothing of the
// old one (the sensitivity panel kept the previous network's layers).
TEST(MainWindow, OpeningAnotherStudyReplacesEveryView)
{
    QTemporaryDir dir;
    const QString first = dir.filePath(QStringLiteral("a.db"));
    StudySpec a = StudySpec::synthetic();
    a.name = "a";
    a.budgetTrials = 10;
    {
        StudyStore store(first.toStdString());
        const std::vector<LayerInfo> layers = SyntheticTrialEvaluator(a).layers();
        const int64_t id = store.createStudy(a, layers);
        SensitivityReport report;
        report.bits = {2, 4};
        report.floatAccuracy = 90;
        report.images = 100;
        for (const LayerInfo& l : layers)
            report.layers.push_back({l.name, {3.0, 1.0}, 1.0, 0.1, {0.2, 0.1}, {0.2, 0.1}});
        store.saveArtifact(id, "sensitivity", report.toJson());
    }
    MainWindow window;
    window.show();
    StudySession& session = *window.session();
    window.openStudy(first, a);
    ASSERT_TRUE(waitFor([&] { return session.isOpen() && !session.busy(); }, 30000));
    session.run();
    ASSERT_TRUE(waitFor([&] { return session.busy(); }, 5000) || !session.trials().empty());
    ASSERT_TRUE(waitFor([&] { return !session.busy(); }, 120000));
    QTest::qWait(100);
    ASSERT_GT(window.pareto()->observedCount(), 0);
    ASSERT_GT(window.sensitivity()->cellCount(), 0);
    ASSERT_GT(window.posterior()->observedPoints(), 0);

    StudySpec b = StudySpec::synthetic();
    b.name = "b";
    b.syntheticLayers = 5;
    window.openStudy(dir.filePath(QStringLiteral("b.db")), b);
    ASSERT_TRUE(
        waitFor([&] { return session.isOpen() && !session.busy() && session.study().spec.name == "b"; }, 30000));
    QTest::qWait(100);
    EXPECT_EQ(window.layerModel()->rowCount(), 5);
    EXPECT_EQ(window.trialModel()->rowCount(), 0);
    EXPECT_EQ(window.pareto()->observedCount(), 0);
    EXPECT_EQ(window.pareto()->predictedCount(), 0);
    EXPECT_EQ(window.posterior()->observedPoints(), 0);
    EXPECT_EQ(window.posterior()->rankingRows(), 0);
    EXPECT_EQ(window.modelCheck()->points(), 0);
    EXPECT_EQ(window.sensitivity()->cellCount(), 0);
    EXPECT_EQ(window.whatIf()->configuration().size(), 5u);
    EXPECT_TRUE(window.windowTitle().startsWith(QStringLiteral("b ")));
}

// A study file made with `study create --name hq` opens at its study: it used to get a "default"
// study added, and shown instead.
TEST(MainWindow, AStudyFileOpensAtItsOnlyStudy)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("one.db"));
    StudySpec spec = StudySpec::synthetic();
    spec.name = "hq";
    spec.syntheticLayers = 4;
    {
        StudyStore store(path.toStdString(), true);
        store.createStudy(spec, SyntheticTrialEvaluator(spec).layers());
    }
    MainWindow window;
    window.openStudyFile(path);
    StudySession& session = *window.session();
    ASSERT_TRUE(waitFor([&] { return session.isOpen() && !session.busy(); }, 30000));
    EXPECT_EQ(session.study().spec.name, "hq");
    EXPECT_EQ(StudyStore(path.toStdString(), false).studyNames(), std::vector<std::string>{"hq"});
}

// The default layout (nothing saved) leaves the posterior's heat maps and the sensitivity plots
// big enough to read: they were about 130 x 60 pixels.
TEST(MainWindow, DefaultLayoutGivesTheViewsRoomForTheirContent)
{
    QSettings().remove(QStringLiteral("window"));
    MainWindow window;
    window.show();
    QTest::qWait(50);
    window.findChild<QDockWidget*>(QStringLiteral("posteriorDock"))->raise();
    window.posterior()->showMaps();
    QTest::qWait(50);
    const QSize maps = window.posterior()->heatMapSize();
    EXPECT_GE(maps.width(), 240);
    EXPECT_GE(maps.height(), 180);
    window.findChild<QDockWidget*>(QStringLiteral("sensitivityDock"))->raise();
    QTest::qWait(50);
    EXPECT_GE(window.sensitivity()->heatPlot()->width(), 250);
    EXPECT_GE(window.sensitivity()->heatPlot()->height(), 200);
    EXPECT_GE(window.sensitivity()->barPlot()->height(), 160);
}

// A pause asked for is visible until the running evaluations finish, and the log says when it
// took effect; the title names what the study searches (here the synthetic problem, not a network).
TEST(MainWindow, APendingPauseIsVisibleAndLogged)
{
    QTemporaryDir dir;
    MainWindow window;
    window.show();
    StudySession& session = *window.session();
    StudySpec spec = StudySpec::synthetic();
    spec.budgetTrials = 30;
    spec.syntheticDelay = 0.3;
    window.openStudy(dir.filePath(QStringLiteral("p.db")), spec);
    ASSERT_TRUE(waitFor([&] { return session.isOpen() && !session.busy(); }, 30000));
    EXPECT_TRUE(window.windowTitle().contains(QStringLiteral("the synthetic problem, 9 layers")))
        << window.windowTitle().toStdString();
    session.run();
    ASSERT_TRUE(waitFor([&] { return session.busy(); }, 5000));
    QAction* pause = nullptr;
    for (QAction* action : window.findChildren<QAction*>())
        if (action->text() == QStringLiteral("&Pause"))
            pause = action;
    ASSERT_NE(pause, nullptr);
    ASSERT_TRUE(waitFor([&] { return pause->isEnabled(); }, 5000));
    pause->trigger();
    auto* progress = window.findChild<QProgressBar*>();
    EXPECT_TRUE(progress->format().startsWith(QStringLiteral("Pausing after this")))
        << progress->format().toStdString();
    ASSERT_TRUE(waitFor([&] { return !session.busy(); }, 30000));
    EXPECT_LT(session.trials().size(), 30u);
    const QString log = window.findChild<QPlainTextEdit*>()->toPlainText();
    EXPECT_TRUE(log.contains(QStringLiteral("Pause asked for"))) << log.toStdString();
    EXPECT_TRUE(log.contains(QStringLiteral("Paused: Run goes on from here"))) << log.toStdString();
}

// Ctrl+Z undoes a what-if edit while the spin box that made it still has focus (its line edit
// used to take the key for its own text).
TEST(MainWindow, UndoWorksWhileASpinBoxHasFocus)
{
    QTemporaryDir dir;
    MainWindow window;
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    window.activateWindow();
    StudySession& session = *window.session();
    StudySpec spec = StudySpec::synthetic();
    window.openStudy(dir.filePath(QStringLiteral("u.db")), spec);
    ASSERT_TRUE(waitFor([&] { return session.isOpen() && !session.busy(); }, 30000));
    QTest::qWait(50);
    auto* spin = window.whatIf()->findChild<QSpinBox*>();
    ASSERT_NE(spin, nullptr);
    spin->setFocus();
    spin->setValue(3);
    ASSERT_EQ(window.whatIf()->configuration()[0].weight, 3);
    QTest::keyClick(spin, Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(window.whatIf()->configuration()[0].weight, 8);
    EXPECT_EQ(spin->value(), 8);
}

} // namespace
} // namespace quantscope
