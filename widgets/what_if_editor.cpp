#include "what_if_editor.h"

#include "study/study_surrogate.h"
#include "study/study_results.h"

#include "bits_chart.h"
#include "task_choices.h"

#include <QComboBox>
#include <QKeyEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

namespace quantscope {
namespace {

/// A spin box's line edit claims Ctrl+Z for its own text undo; the editor's undo stack (the window's
/// Edit > Undo) should get it, so that undo works whichever spin box has focus.
class UndoKeysToWindow : public QObject {
public:
    using QObject::QObject;
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::ShortcutOverride) {
            auto* key = static_cast<QKeyEvent*>(event);
            if (key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo))
                return true; // not accepted: the shortcut goes to the window's action
        }
        return QObject::eventFilter(watched, event);
    }
};

} // namespace

/// One edit: the whole configuration before and after. Consecutive edits of one layer merge.
class SetBitsCommand : public QUndoCommand {
public:
    SetBitsCommand(WhatIfEditor& editor, std::vector<int> before, std::vector<int> after, int layer) :
        editor_(editor), before_(std::move(before)), after_(std::move(after)), layer_(layer)
    {
        setText(layer < 0 ? QObject::tr("load configuration") : QObject::tr("change layer %1").arg(layer));
    }
    void undo() override { editor_.applyBits(before_); }
    void redo() override { editor_.applyBits(after_); }
    int id() const override { return layer_ < 0 ? -1 : 1; }
    bool mergeWith(const QUndoCommand* other) override
    {
        const auto* next = static_cast<const SetBitsCommand*>(other);
        if (next->layer_ != layer_)
            return false;
        after_ = next->after_;
        return true;
    }

private:
    WhatIfEditor& editor_;
    std::vector<int> before_, after_;
    int layer_;
};

WhatIfEditor::WhatIfEditor(QWidget* parent) :
    QWidget(parent), undo_(new QUndoStack(this)), grid_(new QGridLayout), cost_(new QLabel(this)),
    prediction_(new QLabel(this)), task_(new QComboBox(this)), undoKeys_(new UndoKeysToWindow(this)),
    chart_(new BitsChart(this))
{
    connect(chart_, &BitsChart::bitsDragged, this, [this](int layer, int bits) {
        if (layer >= 0 && layer < int(spins_.size()) && spins_[size_t(layer)]->value() != bits)
            spins_[size_t(layer)]->setValue(bits); // an undoable edit, as typing it is
    });
    auto* layers = new QWidget(this);
    layers->setLayout(grid_);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(layers);
    scroll->setWidgetResizable(true);
    auto* evaluate = new QPushButton(tr("Evaluate now"), this);
    evaluate->setToolTip(tr("Add a real trial of this configuration on the chosen task"));
    connect(evaluate, &QPushButton::clicked, this,
            [this] { Q_EMIT evaluateRequested(configuration(), task_->currentIndex()); });
    auto* evaluateRow = new QHBoxLayout;
    evaluateRow->addWidget(task_, 1);
    evaluateRow->addWidget(evaluate);
    prediction_->setTextFormat(Qt::RichText);
    auto* layout = new QVBoxLayout(this);
    auto* editors = new QHBoxLayout;
    editors->addWidget(scroll, 1);
    editors->addWidget(chart_, 1);
    layout->addLayout(editors, 1);
    layout->addWidget(cost_);
    layout->addWidget(prediction_);
    layout->addLayout(evaluateRow);
}

void WhatIfEditor::setStudy(const StoredStudy& study)
{
    study_ = study;
    costs_.reset(); // another study's reported costs and trials say nothing here
    measurements_.clear();
    budgetTrials_.clear();
    for (QSpinBox* spin : spins_)
        spin->deleteLater();
    while (QLayoutItem* item = grid_->takeAt(0)) {
        if (item->widget())
            item->widget()->deleteLater();
        delete item;
    }
    spins_.clear();
    for (size_t i = 0; i < study.layers.size(); ++i) {
        auto* spin = new QSpinBox(this);
        spin->setRange(0, 8);
        spin->setSpecialValueText(tr("float"));
        spin->setValue(8);
        spin->installEventFilter(undoKeys_);
        spin->setToolTip(tr("Bits of %1's weights and input activations (0: float)")
                             .arg(QString::fromStdString(study.layers[i].name)));
        connect(spin, &QSpinBox::valueChanged, this, [this, i](int) {
            if (applying_)
                return;
            std::vector<int> after;
            for (QSpinBox* s : spins_)
                after.push_back(s->value());
            const std::vector<int> before = lastApplied_;
            undo_->push(new SetBitsCommand(*this, before, after, int(i))); // redo() applies and refreshes
        });
        grid_->addWidget(new QLabel(QString::fromStdString(study.layers[i].name), this), int(i), 0);
        grid_->addWidget(spin, int(i), 1);
        spins_.push_back(spin);
    }
    chart_->setLayers(study.layerNames());
    setTaskChoices(*task_, study.spec, tr("on task: %1"));
    undo_->clear();
    lastApplied_ = std::vector<int>(spins_.size(), 8);
    refresh();
}

void WhatIfEditor::setSurrogate(std::shared_ptr<const StudySurrogate> model, std::shared_ptr<const StudyCosts> costs)
{
    model_ = std::move(model);
    costs_ = std::move(costs);
    refresh();
}

void WhatIfEditor::setConfiguration(const BitConfig& bits)
{
    if (bits.size() != spins_.size())
        return;
    std::vector<int> after;
    for (size_t i = 0; i < bits.size(); ++i)
        after.push_back(bits[i].weight);
    undo_->push(new SetBitsCommand(*this, lastApplied_, after, -1));
}

BitConfig WhatIfEditor::configuration() const
{
    std::vector<LayerBits> layers;
    for (QSpinBox* spin : spins_)
        layers.push_back(LayerBits{spin->value(), spin->value()});
    return BitConfig(layers);
}

void WhatIfEditor::applyBits(const std::vector<int>& bits)
{
    applying_ = true;
    for (size_t i = 0; i < bits.size() && i < spins_.size(); ++i)
        spins_[i]->setValue(bits[i]);
    applying_ = false;
    lastApplied_ = bits;
    refresh();
}

void WhatIfEditor::setTrials(const std::vector<TrialRow>& trials)
{
    measurements_.clear();
    budgetTrials_.assign(study_.spec.tasks.size(), 0);
    for (const TrialRow& t : trials)
        if (t.status == TrialStatus::Done && t.accuracy) {
            measurements_.push_back({t.bits, t.task, *t.accuracy});
            if (t.task >= 0 && size_t(t.task) < budgetTrials_.size())
                ++budgetTrials_[size_t(t.task)];
        }
    refresh();
}

QString WhatIfEditor::predictionText() const
{
    return prediction_->text();
}

void WhatIfEditor::refresh()
{
    if (spins_.empty()) {
        cost_->clear();
        prediction_->clear();
        return;
    }
    const BitConfig bits = configuration();
    std::vector<int> widths;
    for (QSpinBox* spin : spins_)
        widths.push_back(spin->value());
    chart_->setBits(widths);
    memory_ = costs_ ? costs_->memoryMB(bits) : studyMemoryMB(study_, bits);
    bops_ = costs_ ? costs_->bops(bits) : studyBops(study_, bits);
    cost_->setText(tr("%1: %2 MB, %3 GBOPs")
                       .arg(QString::fromStdString(bits.toString()))
                       .arg(memory_, 0, 'f', 4)
                       .arg(bops_ / 1e9, 0, 'f', 3));
    mean_.clear();
    sd_.clear();
    // What was measured for this configuration, per task (repeats averaged): a person asking
    // "what if" about a configuration already tried sees the prediction against the evaluation.
    const size_t taskCount = study_.spec.tasks.size();
    std::vector<double> sums(taskCount, 0.0);
    std::vector<int> runs(taskCount, 0);
    for (const Measurement& m : measurements_)
        if (m.task >= 0 && size_t(m.task) < taskCount && m.bits == bits) {
            sums[size_t(m.task)] += m.accuracy;
            ++runs[size_t(m.task)];
        }
    measured_.assign(taskCount, std::nullopt);
    for (size_t t = 0; t < taskCount; ++t)
        if (runs[t] > 0)
            measured_[t] = sums[t] / runs[t];
    const auto measuredText = [&](size_t t) {
        if (t >= taskCount || !measured_[t])
            return QString();
        return runs[t] == 1 ? tr("measured %1 %").arg(*measured_[t], 0, 'f', 2)
                            : tr("measured %1 % (mean of %2)").arg(*measured_[t], 0, 'f', 2).arg(runs[t]);
    };
    // Below five trials of its own a budget's interval is cautious: it covers more than 95 % of
    // held-out evaluations (docs/calibration.md, "Where the band holds"), most of all with none.
    const auto fewTrialsText = [&](size_t t) {
        if (t >= budgetTrials_.size() || budgetTrials_[t] >= 5)
            return QString();
        return budgetTrials_[t] == 0 ? tr("no trial on this budget yet")
                                     : tr("%n trial(s) on this budget", nullptr, budgetTrials_[t]);
    };
    const auto taskName = [&](size_t t) {
        return t < taskCount ? QString::fromStdString(study_.spec.tasks[t].name).toHtmlEscaped() : QString::number(t);
    };
    if (!model_ || !model_->fitted() || model_->layerNames().size() != spins_.size()) {
        QString text = tr("<i>No prediction yet: the GP needs two finished trials.</i>");
        for (size_t t = 0; t < taskCount; ++t)
            if (measured_[t])
                text += QStringLiteral("<br>%1: %2").arg(taskName(t), measuredText(t));
        prediction_->setText(text);
    } else {
        const std::vector<AccuracyInterval> p = model_->predict(bits);
        QString text = tr("<b>Predicted top-1</b> (GP median, 95 % interval):");
        for (size_t t = 0; t < p.size(); ++t) {
            mean_.push_back(p[t].median);
            sd_.push_back(p[t].equivalentSd);
            QString notes;
            for (const QString& note : {measuredText(t), fewTrialsText(t)})
                if (!note.isEmpty())
                    notes += QStringLiteral(", ") + note;
            text += QStringLiteral("<br>%1: %2 % [%3, %4]%5")
                        .arg(taskName(t))
                        .arg(p[t].median, 0, 'f', 2)
                        .arg(p[t].lower, 0, 'f', 2)
                        .arg(p[t].upper, 0, 'f', 2)
                        .arg(notes);
        }
        prediction_->setText(text);
    }
    Q_EMIT configurationChanged(bits);
}

} // namespace quantscope
