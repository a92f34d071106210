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
    // Idle after opening: run to the budget; idle after running: capture.
    connect(session, &StudySession::busyChanged, this, [this, session](bool busy) {
        if (busy || !session->isOpen())
            return;
        if (!ran_) {
            ran_ = true;
            session->run();
            return;
        }
        QTimer::singleShot(300, this, &ScreenshotTour::capture); // let the throttled replots land
    });
    connect(session, &StudySession::failed, this, [](const QString& message) {
        std::cerr << "screenshots: " << message.toStdString() << std::endl;
        QApplication::exit(1);
    });
    StudySpec spec = StudySpec::defaults();
    spec.name = "demo";
    spec.evaluator = "synthetic";
    spec.tasks = {{"quantize only", 0, 0.25}, {"1 epoch", 1, 1.25}, {"2 epochs", 2, 2.25}, {"15 epochs", 15, 15.25}};
    spec.budgetTrials = 40;
    QFile::remove(directory_ + QStringLiteral("/demo.db"));
    window_.openStudy(directory_ + QStringLiteral("/demo.db"), spec);
}

void ScreenshotTour::capture()
{
    auto save = [this](QWidget* widget, const QString& name) {
        const QString path = directory_ + QLatin1Char('/') + name + QStringLiteral(".png");
        if (!widget->grab().save(path)) {
            std::cerr << "screenshots: cannot write " << path.toStdString() << std::endl;
            QApplication::exit(1);
        }
    };
    save(&window_, QStringLiteral("workbench"));
    save(window_.centralWidget(), QStringLiteral("pareto"));
    for (QDockWidget* dock : window_.findChildren<QDockWidget*>()) {
        dock->show();
        dock->raise();
        save(dock->widget(), dock->objectName().remove(QStringLiteral("Dock")));
    }
    QFile::remove(directory_ + QStringLiteral("/demo.db"));
    QFile::remove(directory_ + QStringLiteral("/demo.db-wal"));
    QFile::remove(directory_ + QStringLiteral("/demo.db-shm"));
    std::cout << "screenshots written to " << directory_.toStdString() << std::endl;
    QApplication::quit();
}

} // namespace quantscope
