#include "task_choices.h"

#include <QComboBox>

namespace quantscope {

void setTaskChoices(QComboBox& box, const StudySpec& spec, const QString& format)
{
    box.clear();
    for (const StudyTask& task : spec.tasks)
        box.addItem(format.arg(QString::fromStdString(task.name)));
    box.setCurrentIndex(box.count() - 1);
}

} // namespace quantscope
