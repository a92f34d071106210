// Widget tests run on Qt's offscreen platform, set here so that test discovery (which runs this
// program outside CTest's environment) and plain runs need no display either.
#include <QApplication>
#include <QStandardPaths>

#include <gtest/gtest.h>

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // settings and data folders under ~/.qttest, not the user's
    QApplication::setOrganizationName(QStringLiteral("QuantscopeTests"));
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
