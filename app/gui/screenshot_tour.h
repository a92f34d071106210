#pragma once

#include <QObject>
#include <QString>

namespace quantscope {

class MainWindow;

/// `quantscope --screenshots DIR`: in the real window at its default layout, runs the default
/// study (the shipped model on Fashion-MNIST) for a short budget with two workers, computes its
/// sensitivity, and saves the window and each panel as PNG files in DIR; then quits (about ten
/// minutes on 2 cores). The README's pictures come from this (`installer/screenshots.sh`).
class ScreenshotTour : public QObject {
    Q_OBJECT
public:
    ScreenshotTour(MainWindow& window, QString directory, QObject* parent = nullptr);
    void start();

private:
    enum class Stage { Open, Run, Sensitivity, Done };
    void next();
    void save(QWidget* widget, const QString& name);
    void captureAll();
    void removeStudy(const QString& file);

    MainWindow& window_;
    QString directory_;
    Stage stage_ = Stage::Open;
};

} // namespace quantscope
