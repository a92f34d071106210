// quantscope: the desktop workbench.
#include "main_window.h"

#include "model/default_model.h"

#include <QApplication>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Quantscope"));
    QApplication::setOrganizationName(QStringLiteral("Quantscope"));
    QApplication::setApplicationVersion(QStringLiteral(QUANTSCOPE_VERSION));
    quantscope::MainWindow window;
    const QStringList args = QApplication::arguments();
    window.openModel(args.size() > 1 ? args.at(1) : QString::fromStdString(quantscope::defaultModelPath()));
    window.show();
    return app.exec();
}
