#pragma once

#include <QString>

#include <functional>

class QCustomPlot;
class QMenu;

namespace quantscope {

/// Writes `plot` to `path` by its extension: .png and .pdf as drawn, .csv as the numbers behind
/// it (`csv()` gives them). False when the file cannot be written or the extension is unknown.
bool savePlot(QCustomPlot& plot, const QString& path, const std::function<QString()>& csv);

/// Right-click menu on `plot`: "Save as PNG / PDF / CSV..." with a file dialog, then whatever
/// `extend` adds.
void addPlotExportMenu(QCustomPlot& plot, std::function<QString()> csv, std::function<void(QMenu&)> extend = {});

} // namespace quantscope
