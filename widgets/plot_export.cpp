#include "plot_export.h"

#include <qcustomplot.h>

#include <QFile>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QTextStream>

namespace quantscope {

bool savePlot(QCustomPlot& plot, const QString& path, const std::function<QString()>& csv)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return plot.savePng(path, 0, 0, 2.0);
    if (suffix == QLatin1String("pdf"))
        return plot.savePdf(path);
    if (suffix == QLatin1String("csv")) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
            return false;
        QTextStream(&file) << csv();
        return file.error() == QFileDevice::NoError;
    }
    return false;
}

void addPlotExportMenu(QCustomPlot& plot, std::function<QString()> csv, std::function<void(QMenu&)> extend)
{
    plot.setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(&plot, &QWidget::customContextMenuRequested, &plot, [&plot, csv, extend](const QPoint& at) {
        QMenu menu(&plot);
        for (const QString& kind : {QStringLiteral("PNG"), QStringLiteral("PDF"), QStringLiteral("CSV")})
            menu.addAction(QObject::tr("Save as %1...").arg(kind), &plot, [&plot, csv, kind] {
                const QString path = QFileDialog::getSaveFileName(
                    &plot, QObject::tr("Save plot"), {}, QObject::tr("%1 files (*.%2)").arg(kind, kind.toLower()));
                if (!path.isEmpty() && !savePlot(plot, path, csv))
                    QMessageBox::warning(&plot, QObject::tr("Save plot"), QObject::tr("Cannot write %1").arg(path));
            });
        if (extend) {
            menu.addSeparator();
            extend(menu);
        }
        menu.exec(plot.mapToGlobal(at));
    });
}

} // namespace quantscope
