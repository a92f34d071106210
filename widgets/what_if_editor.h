#pragma once

#include "quant/bit_config.h"
#include "study/study_store.h"

#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QComboBox;
class QCustomPlot;
class QGridLayout;
class QLabel;
class QSpinBox;
class QUndoStack;

namespace quantscope {

class BitsChart;
class StudySurrogate;
class StudyCosts;

/// Per-layer bits, in spin boxes and as a bits-over-depth chart whose bars can be dragged, with
/// live answers: memory, BOPs, and the GP's predicted accuracy (median and 95 % interval) on every
/// task, beside what was measured where the configuration has done trials, recomputed as the user
/// types. Edits are undoable; "Evaluate now" asks for a real
/// trial of the configuration on the chosen task.
class WhatIfEditor : public QWidget {
    Q_OBJECT
public:
    explicit WhatIfEditor(QWidget* parent = nullptr);

    /// The study whose layers are edited (resets the editor to uniform 8 bits).
    void setStudy(const StoredStudy& study);
    /// The latest fitted model; predictions follow it.
    /// The study's fitted GP and its costs (reported memory and BOPs where measured); either may
    /// be null (the local cost model then).
    void setSurrogate(std::shared_ptr<const StudySurrogate> model, std::shared_ptr<const StudyCosts> costs = nullptr);
    /// The study's trials: a done trial of the edited configuration is shown beside its prediction.
    void setTrials(const std::vector<TrialRow>& trials);
    /// Loads a configuration (from the Pareto view or the trials table), as one undoable edit.
    void setConfiguration(const BitConfig& bits);
    BitConfig configuration() const;
    QUndoStack* undoStack() const { return undo_; }
    /// Bits over depth beside the spin boxes; dragging a bar edits that layer.
    BitsChart* chart() const { return chart_; }

    /// The numbers shown, for tests: memory (MB), BOPs, per-task mean and sd (empty: no model).
    double memoryMB() const { return memory_; }
    double bops() const { return bops_; }
    /// Per task: the posterior median and the sd equivalent of its 95 % interval (percent).
    const std::vector<double>& predictedMean() const { return mean_; }
    const std::vector<double>& predictedSd() const { return sd_; }
    /// Per task: the mean accuracy of the done trials of the edited configuration (none: unset).
    const std::vector<std::optional<double>>& measured() const { return measured_; }
    /// Per task: the done trials on that budget, any configuration (empty before setTrials). While
    /// a budget has few, its intervals are cautious (wide): the line says so.
    const std::vector<int>& budgetTrials() const { return budgetTrials_; }
    QString predictionText() const;

Q_SIGNALS:
    void configurationChanged(const quantscope::BitConfig& bits);
    /// The user asked for a real evaluation of `config` on `task`.
    void evaluateRequested(const quantscope::BitConfig& bits, int task);

private:
    friend class SetBitsCommand;
    void applyBits(const std::vector<int>& bits); ///< without touching the undo stack
    void refresh();

    StoredStudy study_;
    std::shared_ptr<const StudySurrogate> model_;
    std::shared_ptr<const StudyCosts> costs_;
    QUndoStack* undo_;
    QGridLayout* grid_;
    std::vector<QSpinBox*> spins_;
    QLabel* cost_;
    QLabel* prediction_;
    QComboBox* task_;
    QObject* undoKeys_;
    BitsChart* chart_; ///< hands Ctrl+Z / Ctrl+Shift+Z in the spin boxes to the undo stack
    bool applying_ = false;
    std::vector<int> lastApplied_; ///< the configuration the undo stack last set
    double memory_ = 0, bops_ = 0;
    std::vector<double> mean_, sd_;
    /// The done trials' configuration, task and accuracy (what setTrials keeps of them).
    struct Measurement {
        BitConfig bits;
        int task = 0;
        double accuracy = 0;
    };
    std::vector<Measurement> measurements_;
    std::vector<std::optional<double>> measured_;
    std::vector<int> budgetTrials_; ///< per task, counted by setTrials
};

} // namespace quantscope
