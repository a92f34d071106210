#include "posterior_view.h"

#include "search/encoding.h"
#include "study/study_surrogate.h"

#include "plot_export.h"
#include "task_choices.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace quantscope {
namespace {

QCPColorMap* heatMap(QCustomPlot* plot, const QString& title)
{
    plot->clearPlottables();
    plot->plotLayout()->clear();
    auto* rect = new QCPAxisRect(plot);
    plot->plotLayout()->addElement(0, 0, rect);
    auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    auto* scale = new QCPColorScale(plot);
    plot->plotLayout()->addElement(0, 1, scale);
    scale->setLabel(title);
    map->setColorScale(scale);
    rect->axis(QCPAxis::atBottom)->setLabel(QObject::tr("coordinate 1"));
    rect->axis(QCPAxis::atLeft)->setLabel(QObject::tr("coordinate 2"));
    return map;
}

QTableWidgetItem* cell(const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return item;
}

} // namespace

PosteriorView::PosteriorView(QWidget* parent) :
    QWidget(parent), task_(new QComboBox(this)), note_(new QLabel(this)), mean_(new QCustomPlot(this)),
    sd_(new QCustomPlot(this)), ranking_(new QTableWidget(this)), correlation_(new QTableWidget(this)),
    tabs_(new QTabWidget(this))
{
    task_->setToolTip(tr("Task whose posterior is shown"));
    connect(task_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    note_->setWordWrap(true);
    ranking_->setColumnCount(5);
    ranking_->setHorizontalHeaderLabels(
        {tr("Bits"), tr("Predicted top-1 [95 %]"), tr("E"), tr("MB"), tr("Acquisition")});
    ranking_->horizontalHeaderItem(0)->setToolTip(tr("Bits per layer, input to output"));
    ranking_->horizontalHeaderItem(1)->setToolTip(
        tr("The GP's median top-1 on the target task and its 95 % interval (not measured)"));
    ranking_->horizontalHeaderItem(2)->setToolTip(
        tr("Effective accuracy E (NUQ): top-1 penalised by the bits spent, what the ranking orders by"));
    ranking_->horizontalHeaderItem(3)->setToolTip(tr("Memory of the quantized weights, MB"));
    ranking_->horizontalHeaderItem(4)->setToolTip(
        tr("The search strategy's value for evaluating it next (higher: sooner); — where it has none"));
    correlation_->setToolTip(tr("Fitted correlation between the tasks' accuracies: how much a cheap task "
                                "tells about the target"));
    ranking_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    ranking_->verticalHeader()->setVisible(false);
    correlation_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    addPlotExportMenu(*mean_, [this] { return csv(); });
    addPlotExportMenu(*sd_, [this] { return csv(); });

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Task:"), this));
    top->addWidget(task_, 1);
    // Mean above sd: the dock is wider than tall only on wide screens.
    auto* maps = new QSplitter(Qt::Vertical, this);
    maps->addWidget(mean_);
    maps->addWidget(sd_);
    mean_->setMinimumSize(240, 180);
    sd_->setMinimumSize(240, 180);
    tabs_->addTab(maps, tr("Mean and sd"));
    tabs_->addTab(ranking_, tr("Ranked candidates"));
    tabs_->addTab(correlation_, tr("Task correlation"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(note_);
    layout->addWidget(tabs_, 1);
}

void PosteriorView::setStudy(const StoredStudy& study)
{
    study_ = study;
    const QSignalBlocker block(task_);
    setTaskChoices(*task_, study.spec);
    trials_.clear();
    results_ = StudyResults();
    rebuild();
}

void PosteriorView::setData(const std::vector<TrialRow>& trials, const StudyResults& results)
{
    trials_ = trials;
    results_ = results;
    rebuild();
}

void PosteriorView::setTask(int task)
{
    task_->setCurrentIndex(task);
}

QString PosteriorView::csv() const
{
    QString out = QStringLiteral("coordinate1,coordinate2,mean,sd\n");
    for (Eigen::Index k = 0; k < gridMean_.size(); ++k)
        out += QStringLiteral("%1,%2,%3,%4\n")
                   .arg(PosteriorPlane::coordinate(int(k) / kGrid))
                   .arg(PosteriorPlane::coordinate(int(k) % kGrid))
                   .arg(gridMean_[k], 0, 'g', 8)
                   .arg(gridSd_[k], 0, 'g', 8);
    return out;
}

QSize PosteriorView::heatMapSize() const
{
    return mean_->size();
}

namespace {

std::pair<double, double> colourRange(QCustomPlot* plot)
{
    const auto* map = plot->plottableCount() > 0 ? qobject_cast<QCPColorMap*>(plot->plottable(0)) : nullptr;
    return map ? std::make_pair(map->dataRange().lower, map->dataRange().upper) : std::make_pair(0.0, 0.0);
}

} // namespace

std::pair<double, double> PosteriorView::meanColourRange() const
{
    return colourRange(mean_);
}

std::pair<double, double> PosteriorView::sdColourRange() const
{
    return colourRange(sd_);
}

void PosteriorView::showMaps()
{
    tabs_->setCurrentIndex(0);
}

int PosteriorView::rankingRows() const
{
    return ranking_->rowCount();
}
int PosteriorView::correlationSize() const
{
    return correlation_->rowCount();
}

int PosteriorView::acquisitionValues() const
{
    int count = 0;
    for (int r = 0; r < ranking_->rowCount(); ++r)
        count += ranking_->item(r, 4) && ranking_->item(r, 4)->text() != tr("—");
    return count;
}

void PosteriorView::rebuild()
{
    cells_ = observed_ = 0;
    gridMean_.resize(0);
    gridSd_.resize(0);
    const StudySurrogate* model = results_.surrogate.get();
    const int task = task_->currentIndex();
    if (!model || !model->fitted() || task < 0 || size_t(task) >= results_.plane.median.size()) {
        note_->setText(tr("The GP needs two finished trials."));
        mean_->clearPlottables();
        sd_->clearPlottables();
        mean_->replot();
        sd_->replot();
        ranking_->setRowCount(0);
        correlation_->setRowCount(0);
        correlation_->setColumnCount(0);
        return;
    }
    const Encoding& encoding = model->encoding();
    // The plane of coordinates 1 and 2 (computed with the results, off this thread); for more
    // coordinates, a slice through the best-ranked configuration.
    const PosteriorPlane& plane = results_.plane;
    const QString slice = plane.slicedAt
        ? tr(", slice through the best-ranked %1").arg(QString::fromStdString(plane.slicedAt->toString()))
        : QString();
    const Eigen::VectorXd& mean = plane.median[size_t(task)];
    const Eigen::VectorXd& sd = plane.sd[size_t(task)];
    gridMean_ = mean;
    gridSd_ = sd;
    QCPColorMap* meanMap = heatMap(mean_, tr("median top-1 (%)"));
    QCPColorMap* sdMap = heatMap(sd_, tr("sd (points)"));
    for (QCPColorMap* map : {meanMap, sdMap}) {
        map->data()->setSize(kGrid, kGrid);
        map->data()->setRange(QCPRange(0, 1), QCPRange(0, 1));
    }
    for (int i = 0; i < kGrid; ++i)
        for (int j = 0; j < kGrid; ++j) {
            meanMap->data()->setCell(i, j, mean[i * kGrid + j]);
            sdMap->data()->setCell(i, j, sd[i * kGrid + j]);
            ++cells_;
        }
    meanMap->setGradient(QCPColorGradient::gpSpectrum);
    sdMap->setGradient(QCPColorGradient::gpThermal);
    for (QCPColorMap* map : {meanMap, sdMap})
        map->rescaleDataRange(true); // recalculated: the bounds otherwise keep the cells' initial 0
    // This task's observed trials, projected onto the plane.
    QVector<double> x, y;
    for (const TrialRow& t : trials_)
        if (t.status == TrialStatus::Done && t.task == task) {
            const Eigen::VectorXd w = encoding.encode(t.bits);
            x.push_back(w[0]);
            y.push_back(encoding.dim() > 1 ? w[1] : 0.5);
        }
    observed_ = int(x.size());
    for (QCustomPlot* plot : {mean_, sd_}) {
        QCPAxisRect* rect = plot->axisRect();
        auto* points = new QCPGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        points->setData(x, y);
        points->setLineStyle(QCPGraph::lsNone);
        points->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, Qt::white, Qt::black, 6));
        rect->axis(QCPAxis::atBottom)->setRange(0, 1);
        rect->axis(QCPAxis::atLeft)->setRange(0, 1);
        plot->replot(QCustomPlot::rpQueuedRefresh);
    }
    note_->setText(
        tr("%1 coordinates 1 and 2%2; dots: this task's trials.").arg(QString::fromStdString(encoding.name()), slice));

    ranking_->setRowCount(int(results_.ranking.size()));
    for (size_t r = 0; r < results_.ranking.size(); ++r) {
        const ResultPoint& p = results_.ranking[r];
        ranking_->setItem(int(r), 0, cell(QString::fromStdString(p.bits.toString())));
        ranking_->setItem(int(r), 1,
                          cell(tr("%1 [%2, %3]")
                                   .arg(p.predicted.value_or(0), 0, 'f', 2)
                                   .arg(p.lower.value_or(0), 0, 'f', 2)
                                   .arg(p.upper.value_or(0), 0, 'f', 2)));
        ranking_->setItem(int(r), 2, cell(QString::number(p.effectiveAccuracy, 'f', 2)));
        ranking_->setItem(int(r), 3, cell(QString::number(p.memoryMB, 'f', 4)));
        ranking_->setItem(int(r), 4, cell(p.acquisition ? QString::number(*p.acquisition, 'g', 4) : tr("—")));
    }
    const Eigen::MatrixXd correlation = model->taskCorrelation();
    correlation_->setRowCount(int(correlation.rows()));
    correlation_->setColumnCount(int(correlation.cols()));
    QStringList names;
    for (const StudyTask& t : study_.spec.tasks)
        names << QString::fromStdString(t.name);
    correlation_->setHorizontalHeaderLabels(names);
    correlation_->setVerticalHeaderLabels(names);
    for (Eigen::Index i = 0; i < correlation.rows(); ++i)
        for (Eigen::Index j = 0; j < correlation.cols(); ++j)
            correlation_->setItem(int(i), int(j), cell(QString::number(correlation(i, j), 'f', 2)));
}

} // namespace quantscope
