// quantscope: the desktop workbench.
#include "main_window.h"
#include "screenshot_tour.h"

#include "study/study_spec.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Quantscope"));
    QApplication::setOrganizationName(QStringLiteral("Quantscope"));
    QApplication::setApplicationVersion(QStringLiteral(QUANTSCOPE_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Mixed-precision quantization workbench"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("study"), QStringLiteral("study file to open (default: the last one)"));
    const QCommandLineOption screenshots(
        QStringLiteral("screenshots"),
        QStringLiteral("run a synthetic demo study, save PNGs of each view in DIR, quit"), QStringLiteral("DIR"));
    parser.addOption(screenshots);
    parser.process(app);

    quantscope::MainWindow window;
    quantscope::ScreenshotTour tour(window, parser.value(screenshots));
    if (parser.isSet(screenshots))
        tour.start();
    else if (!parser.positionalArguments().isEmpty())
        window.openStudyFile(parser.positionalArguments().front());
    else
        window.openStartupStudy();
    window.show();
    return app.exec();
}
