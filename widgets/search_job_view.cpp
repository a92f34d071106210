#include "search_job_view.h"

#include "plot_export.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace quantscope {
namespace {

/// Matplotlib's ten categorical colours, as the other views use.
QColor layerColor(size_t layer)
{
    static const QColor colors[] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
                                    {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
    return colors[layer % 10];
}

/// A layer's width expected under one snapshot's probabilities; NaN for a layer not searched.
double expectedBits(const std::vector<double>& probabilities, const std::vector<int>& candidates)
{
    if (probabilities.size() != candidates.size())
        return std::numeric_limits<double>::quiet_NaN();
    double bits = 0;
    for (size_t k = 0; k < candidates.size(); ++k)
        bits += probabilities[k] * candidates[k];
    return bits;
}

QString widthText(const LayerBits& bits)
{
    return bits.coupled() ? QString::number(bits.weight)
                          : QStringLiteral("%1/%2").arg(bits.weight).arg(bits.activation);
}

} // namespace

SearchJobView::SearchJobView(QWidget* parent) :
    QWidget(parent), job_(new QComboBox(this)), plot_(new QCustomPlot(this)), summary_(new QLabel(this))
{
    job_->setToolTip(tr("Search job whose strengths are drawn"));
    connect(job_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    summary_->setWordWrap(true);
    plot_->xAxis->setLabel(tr("search step"));
    plot_->yAxis->setLabel(tr("expected bits (strengths' softmax)"));
    // The legend beside the plot: the curves leave the middle in every direction, no corner is free.
    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), 8));
    plot_->plotLayout()->addElement(0, 1, plot_->legend);
    plot_->plotLayout()->setColumnStretchFactor(1, 0.001);
    addPlotExportMenu(*plot_, [this] { return csv(); });
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Job:"), this));
    top->addWidget(job_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(plot_, 1);
    layout->addWidget(summary_);
}

void SearchJobView::setStudy(const StoredStudy& study)
{
    study_ = study;
    jobs_.clear();
    trials_.clear();
    const QSignalBlocker block(job_);
    job_->clear();
    rebuild();
}

void SearchJobView::setData(const std::vector<EbsSearchJob>& jobs, const std::vector<TrialRow>& trials)
{
    jobs_ = jobs;
    trials_ = trials;
    const QSignalBlocker block(job_);
    const int chosen = job_->currentIndex();
    job_->clear();
    for (const EbsSearchJob& job : jobs_)
        job_->addItem(QString::fromStdString(ebsJobLabel(job)));
    // A new job is shown as it arrives unless the person chose an earlier one.
    job_->setCurrentIndex(chosen >= 0 && chosen < job_->count() - 1 ? chosen : job_->count() - 1);
    rebuild();
}

void SearchJobView::setJob(int index)
{
    job_->setCurrentIndex(index);
}

int SearchJobView::curves() const
{
    return plot_->graphCount();
}

int SearchJobView::pointsPerCurve() const
{
    return plot_->graphCount() > 0 ? plot_->graph(0)->dataCount() : 0;
}

QString SearchJobView::summary() const
{
    return summary_->text();
}

QString SearchJobView::csv() const
{
    QString out = QStringLiteral("step,layer,expected_bits\n");
    const int index = job_->currentIndex();
    if (index < 0 || size_t(index) >= jobs_.size())
        return out;
    const std::vector<std::string> names = study_.layerNames();
    for (const EbsSnapshot& s : jobs_[size_t(index)].history)
        for (size_t layer = 0; layer < s.weight.size() && layer < names.size(); ++layer) {
            const double bits = expectedBits(s.weight[layer], study_.spec.ebs.candidates);
            if (!std::isnan(bits))
                out += QStringLiteral("%1,%2,%3\n")
                           .arg(s.step)
                           .arg(QString::fromStdString(names[layer]))
                           .arg(bits, 0, 'f', 4);
        }
    return out;
}

void SearchJobView::rebuild()
{
    plot_->clearGraphs();
    const int index = job_->currentIndex();
    if (study_.spec.strategy != "ebs") {
        summary_->setText(tr("This study's strategy (%1) runs no search jobs. A study with the ebs strategy shows "
                             "here how each job's per-layer widths settled.")
                              .arg(QString::fromStdString(study_.spec.strategy)));
    } else if (index < 0 || size_t(index) >= jobs_.size()) {
        summary_->setText(tr("No search job has finished yet; each one searches the widths for one memory budget, "
                             "then the study evaluates what it found on the target task."));
    } else {
        const EbsSearchJob& job = jobs_[size_t(index)];
        const std::vector<std::string> names = study_.layerNames();
        const std::vector<int>& candidates = study_.spec.ebs.candidates;
        for (size_t layer = 0; layer < names.size(); ++layer) {
            QVector<double> steps, bits;
            for (const EbsSnapshot& s : job.history)
                if (layer < s.weight.size()) {
                    const double b = expectedBits(s.weight[layer], candidates);
                    if (!std::isnan(b)) {
                        steps.push_back(double(s.step));
                        bits.push_back(b);
                    }
                }
            if (steps.isEmpty())
                continue; // a layer the policy pins
            QCPGraph* graph = plot_->addGraph();
            graph->setData(steps, bits);
            graph->setPen(QPen(layerColor(layer), 2));
            graph->setName(QStringLiteral("%1 \u2192 %2")
                               .arg(QString::fromStdString(names[layer]))
                               .arg(widthText(job.bits[layer])));
        }
        const double last = job.history.empty() ? 1.0 : double(job.history.back().step);
        plot_->xAxis->setRange(0, std::max(1.0, last));
        plot_->rescaleAxes(); // the widths the strengths moved between, with a little room around them
        const QCPRange span = plot_->yAxis->range();
        plot_->yAxis->setRange(std::max(candidates.front() - 0.25, span.lower - 0.25),
                               std::min(candidates.back() + 0.25, span.upper + 0.25));
        plot_->xAxis->setRange(0, std::max(1.0, last));

        QString measured = tr("its trial %1 is not evaluated yet").arg(job.trialId);
        for (const TrialRow& t : trials_)
            if (t.id == job.trialId && t.status == TrialStatus::Done && t.accuracy)
                measured = tr("trial %1 measured %2 % top-1 on %3")
                               .arg(t.id)
                               .arg(*t.accuracy, 0, 'f', 2)
                               .arg(QString::fromStdString(study_.spec.tasks.at(size_t(t.task)).name));
        summary_->setText(tr("Searched for at most %1 MB: %2 steps in %3 s (counted in the study's cost), "
                             "lambda %4 at the end. Found %5, %6 MB; %7.")
                              .arg(job.budgetMB, 0, 'g', 4)
                              .arg(job.steps)
                              .arg(job.seconds, 0, 'f', 1)
                              .arg(job.lambda, 0, 'g', 3)
                              .arg(QString::fromStdString(job.bits.toString()))
                              .arg(job.memoryMB, 0, 'f', 4)
                              .arg(measured));
    }
    plot_->replot(QCustomPlot::rpQueuedRefresh);
}

} // namespace quantscope
