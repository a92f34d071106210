#include "screenshot_tour.h"

#include "main_window.h"
#include "study_session.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QTimer>

#include <iostream>

namespace quantscope {

ScreenshotTour::ScreenshotTour(MainWindow& window, QString directory, QObject* parent) :
    QObject(parent), window_(window), directory_(std::move(directory))
{
}

void ScreenshotTour::start()
{
    QDir().mkpath(directory_);
    StudySession* session = window_.session();
    connect(session, &StudySession::busyChanged, this, [this, session](bool busy) {
        if (!busy && session->isOpen())
            QTimer::singleShot(300, this, &ScreenshotTour::next); // let the throttled replots land
    });
    connect(session, &StudySession::failed, this, [](const QString& message) {
        std::cerr << "screenshots: " << message.toStdString() << std::endl;
        QApplication::exit(1);
    });
    StudySpec spec = StudySpec::defaults();
    spec.name = "default";
    spec.budgetTrials = 12; // the initial design, the measured baselines and a few search steps
    spec.workers = 2;
    spec.threads = 1;
    removeStudy(QStringLiteral("default.db"));
    window_.openStudy(directory_ + QStringLiteral("/default.db"), spec);
}

/// Called whenever the session is idle: the next stage of the tour.
void ScreenshotTour::next()
{
    StudySession* session = window_.session();
    switch (stage_) {
    case Stage::Open:
        stage_ = Stage::Run;
        session->run();
        break;
    case Stage::Run:
        stage_ = Stage::Sensitivity;
        session->computeSensitivity();
        break;
    case Stage::Sensitivity:
        captureAll();
        stage_ = Stage::Done;
        removeStudy(QStringLiteral("default.db"));
        std::cout << "screenshots written to " << directory_.toStdString() << std::endl;
        QApplication::quit();
        break;
    case Stage::Done: break;
    }
}

void ScreenshotTour::save(QWidget* widget, const QString& name)
{
    const QString path = directory_ + QLatin1Char('/') + name + QStringLiteral(".png");
    if (!widget->grab().save(path)) {
        std::cerr << "screenshots: cannot write " << path.toStdString() << std::endl;
        QApplication::exit(1);
    }
}

void ScreenshotTour::captureAll()
{
    save(&window_, QStringLiteral("workbench"));
    save(window_.centralWidget(), QStringLiteral("pareto"));
    for (QDockWidget* dock : window_.findChildren<QDockWidget*>()) {
        dock->show();
        dock->raise(); // tabbed docks: the one in front is drawn
        QApplication::processEvents();
        save(dock->widget(), dock->objectName().remove(QStringLiteral("Dock")));
    }
}

void ScreenshotTour::removeStudy(const QString& file)
{
    for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(directory_ + QLatin1Char('/') + file + suffix);
}

} // namespace quantscope
