#pragma once

#include <QObject>
#include <QString>

namespace quantscope {

class MainWindow;

/// `quantscope --screenshots DIR`: runs a synthetic demo study to its budget in the real window
/// and saves the window and each panel as PNG files in DIR; then opens the default study on the
/// shipped model, computes its sensitivity (about a minute on 2 cores) and saves the sensitivity
/// and network panels; then quits. The README's pictures come from this (`installer/screenshots.sh`).
class ScreenshotTour : public QObject {
    Q_OBJECT
public:
    ScreenshotTour(MainWindow& window, QString directory, QObject* parent = nullptr);
    void start();

private:
    enum class Stage { OpenDemo, RunDemo, OpenShipped, Sensitivity, Done };
    void next();
    void save(QWidget* widget, const QString& name);
    void captureDemo();
    void captureSensitivity();
    void removeStudy(const QString& file);

    MainWindow& window_;
    QString directory_;
    Stage stage_ = Stage::OpenDemo;
};

} // namespace quantscope
