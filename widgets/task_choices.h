#pragma once

#include "study/study_spec.h"

#include <QString>

class QComboBox;

namespace quantscope {

/// Fills `box` with the study's tasks, each shown through `format` ("%1" is the task's name), and
/// selects the target (the last task), as every per-task view starts.
void setTaskChoices(QComboBox& box, const StudySpec& spec, const QString& format = QStringLiteral("%1"));

} // namespace quantscope
