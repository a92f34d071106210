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
    StudySpec spec = StudySpec::synthetic();
    spec.name = "demo";
    spec.budgetTrials = 40;
    removeStudy(QStringLiteral("demo.db"));
    window_.openStudy(directory_ + QStringLiteral("/demo.db"), spec);
}

/// Called whenever the session is idle: the next stage of the tour.
void ScreenshotTour::next()
{
    StudySession* session = window_.session();
    switch (stage_) {
    case Stage::OpenDemo:
        stage_ = Stage::RunDemo;
        session->run();
        break;
    case Stage::RunDemo:
        captureDemo();
        stage_ = Stage::OpenShipped;
        removeStudy(QStringLiteral("shipped.db"));
        window_.openStudy(directory_ + QStringLiteral("/shipped.db"), StudySpec::defaults());
        break;
    case Stage::OpenShipped:
        stage_ = Stage::Sensitivity;
        session->computeSensitivity();
        break;
    case Stage::Sensitivity:
        captureSensitivity();
        stage_ = Stage::Done;
        removeStudy(QStringLiteral("demo.db"));
        removeStudy(QStringLiteral("shipped.db"));
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

void ScreenshotTour::captureDemo()
{
    save(&window_, QStringLiteral("workbench"));
    save(window_.centralWidget(), QStringLiteral("pareto"));
    for (QDockWidget* dock : window_.findChildren<QDockWidget*>()) {
        if (dock->objectName() == QLatin1String("sensitivityDock"))
            continue; // the synthetic study has none: taken from the shipped model below
        dock->show();
        dock->raise();
        save(dock->widget(), dock->objectName().remove(QStringLiteral("Dock")));
    }
}

void ScreenshotTour::captureSensitivity()
{
    for (QDockWidget* dock : window_.findChildren<QDockWidget*>())
        if (dock->objectName() == QLatin1String("sensitivityDock")
            || dock->objectName() == QLatin1String("networkDock")) {
            dock->setFloating(true); // full size, not a tab
            dock->resize(900, 420);
            dock->show();
            dock->raise();
            save(dock->widget(), dock->objectName().remove(QStringLiteral("Dock")));
        }
}

void ScreenshotTour::removeStudy(const QString& file)
{
    for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(directory_ + QLatin1Char('/') + file + suffix);
}

} // namespace quantscope
