#pragma once

#include <QObject>
#include <QString>

namespace quantscope {

class MainWindow;

/// `quantscope --screenshots DIR`: runs a synthetic demo study to its budget in the real window,
/// then saves the window and each panel as PNG files in DIR and quits. The README's pictures come
/// from this (tools: `installer/screenshots.sh`).
class ScreenshotTour : public QObject {
    Q_OBJECT
public:
    ScreenshotTour(MainWindow& window, QString directory, QObject* parent = nullptr);
    void start();

private:
    void capture();

    MainWindow& window_;
    QString directory_;
    bool ran_ = false;
};

} // namespace quantscope
