#include "new_study_dialog.h"

#include "common/error.h"
#include "model/network.h"
#include "study/study_store.h"
#include "study/study_network.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>

namespace quantscope {
namespace {

QComboBox* choices(QWidget* parent, const QStringList& items, const QString& current)
{
    auto* box = new QComboBox(parent);
    box->addItems(items);
    box->setCurrentText(current);
    return box;
}

std::vector<float> numbers(const QString& text)
{
    std::vector<float> out;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const float value = part.trimmed().toFloat(&ok);
        if (!ok)
            throw ConfigError("'" + part.trimmed().toStdString() + "' is not a number");
        out.push_back(value);
    }
    return out;
}

} // namespace

NewStudyDialog::NewStudyDialog(const QString& database, QWidget* parent) :
    QDialog(parent), database_(new QLineEdit(database, this)), name_(new QLineEdit(QStringLiteral("study"), this)),
    model_(new QLineEdit(this)), mean_(new QLineEdit(this)), std_(new QLineEdit(this)), tasks_(new QTableWidget(this)),
    initialCheap_(new QSpinBox(this)), initialTarget_(new QSpinBox(this)),
    baselines_(new QCheckBox(tr("Measure uniform 8/4/3/2-bit on the target task"), this)), budget_(new QSpinBox(this)),
    workers_(new QSpinBox(this)), error_(new QLabel(this))
{
    setWindowTitle(tr("New Study"));
    const StudySpec defaults = StudySpec::defaults();
    evaluator_ = choices(this, {QStringLiteral("torch"), QStringLiteral("synthetic")}, QStringLiteral("torch"));
    dataset_ =
        choices(this, {QStringLiteral("fashion-mnist"), QStringLiteral("cifar10"), QStringLiteral("imagefolder")},
                QStringLiteral("fashion-mnist"));
    dataset_->setToolTip(tr("imagefolder: your own images, one folder per class (train/ and val/ folders of them, "
                            "or one folder that Quantscope splits), as torchvision's ImageFolder reads them"));
    dataDir_ = new QLineEdit(this);
    dataDir_->setPlaceholderText(tr("Debian's Fashion-MNIST"));
    dataDir_->setToolTip(tr("The data set's folder: CIFAR-10's binary files, or an image folder"));
    auto* browseData = new QPushButton(tr("Browse..."), this);
    connect(browseData, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Data Folder"), dataDir_->text());
        if (!dir.isEmpty())
            dataDir_->setText(dir);
    });
    auto* dataRow = new QHBoxLayout;
    dataRow->addWidget(dataDir_, 1);
    dataRow->addWidget(browseData);
    resize_ = new QLineEdit(this);
    resize_->setPlaceholderText(tr("none"));
    resize_->setToolTip(tr("torchvision's Resize: the shorter side in pixels (e.g. 256), or HxW"));
    crop_ = new QLineEdit(this);
    crop_->setPlaceholderText(tr("none"));
    crop_->setToolTip(tr("torchvision's CenterCrop after the resize, e.g. 224 (images of mixed sizes need one)"));
    color_ =
        choices(this, {QStringLiteral("auto"), QStringLiteral("rgb"), QStringLiteral("gray")}, QStringLiteral("auto"));
    color_->setToolTip(tr("auto: grey for a network that takes one channel, else RGB (as torchvision's loader)"));
    auto* transformRow = new QHBoxLayout;
    transformRow->addWidget(new QLabel(tr("Resize"), this));
    transformRow->addWidget(resize_);
    transformRow->addWidget(new QLabel(tr("CenterCrop"), this));
    transformRow->addWidget(crop_);
    transformRow->addWidget(color_);
    searchSize_ = new QSpinBox(this);
    searchSize_->setRange(1, 1000000);
    searchSize_->setValue(int(defaults.data.searchSize));
    searchSize_->setToolTip(tr("Images the search scores every trial on: from the test set of Fashion-MNIST and "
                               "CIFAR-10, from the training images of an image folder (docs/data.md)"));
    badImages_ = choices(this, {QStringLiteral("fail"), QStringLiteral("skip")}, QStringLiteral("fail"));
    badImages_->setToolTip(
        tr("fail: an unreadable image stops the study, named; skip: it is left out, named in the log"));
    const auto folderOnly = [this, transformRow](const QString& dataset) {
        const bool folder = dataset == QStringLiteral("imagefolder");
        for (QWidget* w : {static_cast<QWidget*>(resize_), static_cast<QWidget*>(crop_), static_cast<QWidget*>(color_),
                           static_cast<QWidget*>(badImages_)})
            w->setEnabled(folder);
        for (int i = 0; i < transformRow->count(); ++i)
            if (QWidget* w = transformRow->itemAt(i)->widget())
                w->setEnabled(folder);
        dataDir_->setPlaceholderText(dataset == QStringLiteral("fashion-mnist") ? tr("Debian's Fashion-MNIST")
                                                                                : tr("choose a folder"));
    };
    connect(dataset_, &QComboBox::currentTextChanged, this, folderOnly);
    folderOnly(dataset_->currentText());
    quantizer_ = choices(this,
                         {QStringLiteral("dsconv"), QStringLiteral("uniform"), QStringLiteral("hwgq"),
                          QStringLiteral("qn"), QStringLiteral("qn-pow2")},
                         QString::fromStdString(defaults.quantizer));
    encoding_ = choices(this,
                        {QStringLiteral("bezier1"), QStringLiteral("bezier2"), QStringLiteral("chebyshev4"),
                         QStringLiteral("per-layer")},
                        QString::fromStdString(defaults.encoding));
    strategy_ = choices(this,
                        {QStringLiteral("nuq"), QStringLiteral("ehvi"), QStringLiteral("ei"), QStringLiteral("ucb"),
                         QStringLiteral("random"), QStringLiteral("ebs")},
                        QString::fromStdString(defaults.strategy));
    strategy_->setToolTip(tr("nuq, ehvi, ei, ucb: a Gaussian-process search over the tasks; random; ebs: search "
                             "jobs that train the network once per memory budget (torch evaluator)"));
    model_->setPlaceholderText(tr("the shipped model (vgg11s on Fashion-MNIST)"));
    model_->setToolTip(tr("A Quantscope model file or any TorchScript CNN (torch.jit.script/trace, then save)"));
    mean_->setPlaceholderText(tr("e.g. 0.2860 (TorchScript models trained on normalised input)"));
    std_->setPlaceholderText(tr("e.g. 0.3530"));
    auto* browse = new QPushButton(tr("Browse..."), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Network"), {}, tr("Models (*.pt *.pth)"));
        if (!path.isEmpty())
            model_->setText(path);
    });
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(model_, 1);
    modelRow->addWidget(browse);

    tasks_->setColumnCount(3);
    tasks_->setHorizontalHeaderLabels({tr("Task"), tr("Fine-tuning steps"), tr("Default cost (s)")});
    tasks_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    tasks_->setToolTip(tr("Fine-tuning budgets, cheapest first; the last one is the target"));
    tasks_->setRowCount(int(defaults.tasks.size()));
    for (size_t i = 0; i < defaults.tasks.size(); ++i) {
        tasks_->setItem(int(i), 0, new QTableWidgetItem(QString::fromStdString(defaults.tasks[i].name)));
        tasks_->setItem(int(i), 1, new QTableWidgetItem(QString::number(defaults.tasks[i].steps)));
        tasks_->setItem(int(i), 2, new QTableWidgetItem(QString::number(defaults.tasks[i].cost)));
    }
    initialCheap_->setRange(0, 1000);
    initialCheap_->setSpecialValueText(tr("automatic"));
    initialCheap_->setValue(defaults.initialCheap);
    initialCheap_->setToolTip(tr("Space-filling configurations on the cheapest task, lowest and highest bits "
                                 "included; automatic: the encoding's dimension + 3"));
    initialTarget_->setRange(0, 1000);
    initialTarget_->setValue(defaults.initialTarget);
    initialTarget_->setToolTip(tr("How many of them are also evaluated on the target task. Keep it at 2 or more: "
                                  "until a fine-tuned budget has a trial, its predictions take quantization "
                                  "alone's level (docs/search.md)"));
    auto* designRow = new QHBoxLayout;
    designRow->addWidget(initialCheap_);
    designRow->addWidget(new QLabel(tr("on the cheapest task,"), this));
    designRow->addWidget(initialTarget_);
    designRow->addWidget(new QLabel(tr("on the target"), this), 1);
    baselines_->setChecked(defaults.measureBaselines);
    baselines_->setToolTip(
        tr("Compare the front with measured uniform networks (NUQ's Table 1), not only predicted ones"));
    budget_->setRange(1, 100000);
    budget_->setValue(defaults.budgetTrials.value_or(60));
    workers_->setRange(1, 64);
    workers_->setToolTip(tr("Evaluations at once, each in its own process"));
    error_->setStyleSheet(QStringLiteral("color: #b00020"));
    error_->setWordWrap(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
    connect(buttons, &QDialogButtonBox::accepted, this, &NewStudyDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* form = new QFormLayout(this);
    form->addRow(tr("Study file:"), database_);
    form->addRow(tr("Name:"), name_);
    form->addRow(tr("Evaluator:"), evaluator_);
    form->addRow(tr("Network:"), modelRow);
    form->addRow(tr("Input mean:"), mean_);
    form->addRow(tr("Input std:"), std_);
    form->addRow(tr("Data set:"), dataset_);
    form->addRow(tr("Data folder:"), dataRow);
    form->addRow(tr("Images:"), transformRow);
    form->addRow(tr("Bad images:"), badImages_);
    form->addRow(tr("Search split (images):"), searchSize_);
    form->addRow(tr("Quantizer:"), quantizer_);
    form->addRow(tr("Tasks:"), tasks_);
    form->addRow(tr("Encoding:"), encoding_);
    form->addRow(tr("Strategy:"), strategy_);
    form->addRow(tr("Initial design:"), designRow);
    form->addRow(tr("Baselines:"), baselines_);
    form->addRow(tr("Budget (trials):"), budget_);
    form->addRow(tr("Workers:"), workers_);
    form->addRow(error_);
    form->addRow(buttons);
}

QString NewStudyDialog::database() const
{
    return database_->text().trimmed();
}

StudySpec NewStudyDialog::spec() const
{
    StudySpec spec = StudySpec::defaults();
    spec.name = name_->text().trimmed().toStdString();
    spec.evaluator = evaluator_->currentText().toStdString();
    spec.model = model_->text().trimmed().toStdString();
    spec.inputMean = numbers(mean_->text());
    spec.inputStd = numbers(std_->text());
    spec.data.dataset = dataset_->currentText().toStdString();
    spec.data.dataDir = dataDir_->text().trimmed().toStdString();
    spec.data.searchSize = size_t(searchSize_->value());
    if (spec.data.kind() == DatasetKind::ImageFolder) {
        spec.data.folder.resize = resize_->text().trimmed().toStdString();
        spec.data.folder.crop = crop_->text().trimmed().toStdString();
        spec.data.folder.color = color_->currentText().toStdString();
        spec.data.folder.onBadImage = badImages_->currentText().toStdString();
    }
    spec.quantizer = quantizer_->currentText().toStdString();
    spec.encoding = encoding_->currentText().toStdString();
    spec.strategy = strategy_->currentText().toStdString();
    spec.initialCheap = initialCheap_->value();
    spec.initialTarget = initialTarget_->value();
    spec.measureBaselines = baselines_->isChecked();
    spec.budgetTrials = budget_->value();
    spec.budgetCost.reset();
    spec.workers = workers_->value();
    spec.tasks.clear();
    for (int r = 0; r < tasks_->rowCount(); ++r) {
        auto text = [&](int c) { return tasks_->item(r, c) ? tasks_->item(r, c)->text().trimmed() : QString(); };
        bool stepsOk = false, costOk = false;
        StudyTask task{text(0).toStdString(), text(1).toLongLong(&stepsOk), text(2).toDouble(&costOk)};
        if (!stepsOk || !costOk)
            throw ConfigError("task " + std::to_string(r + 1) + ": steps and cost must be numbers");
        spec.tasks.push_back(task);
    }
    if (database().isEmpty())
        throw ConfigError("choose a study file");
    spec.validate();
    return spec;
}

void NewStudyDialog::setModel(const QString& path, const QString& mean, const QString& stddev)
{
    model_->setText(path);
    mean_->setText(mean);
    std_->setText(stddev);
}

void NewStudyDialog::setEvaluator(const QString& evaluator)
{
    evaluator_->setCurrentText(evaluator);
}

void NewStudyDialog::setData(const QString& dataset, const QString& folder, const QString& resize, const QString& crop)
{
    dataset_->setCurrentText(dataset);
    dataDir_->setText(folder);
    resize_->setText(resize);
    crop_->setText(crop);
}

void NewStudyDialog::setSearchSize(int images)
{
    searchSize_->setValue(images);
}

void NewStudyDialog::setName(const QString& name)
{
    name_->setText(name);
}

QString NewStudyDialog::errorText() const
{
    return error_->text();
}

void NewStudyDialog::setBudget(int trials)
{
    budget_->setValue(trials);
}

void NewStudyDialog::removeAllTasks()
{
    tasks_->setRowCount(0);
}

void NewStudyDialog::accept()
{
    // What would fail after the dialog closed fails here instead, shown inline with every choice
    // kept: the spec, a name the file already uses, a model that does not load or fit the data.
    try {
        const StudySpec chosen = spec();
        const std::string file = database().toStdString();
        if (QFileInfo::exists(database())) {
            for (const std::string& name : StudyStore::openForReading(file).studyNames())
                if (name == chosen.name)
                    throw ConfigError("study file " + file + " already has a study '" + name
                                      + "': choose another name, or open it with File > Open Study");
        }
        if (chosen.evaluator != "synthetic") {
            QApplication::setOverrideCursor(Qt::WaitCursor);
            try {
                openStudyNetwork(chosen);
                if (chosen.data.kind() == DatasetKind::ImageFolder)
                    checkImageFolder(chosen.data); // its splits fit the folder (it is indexed, not decoded)
            } catch (...) {
                QApplication::restoreOverrideCursor();
                throw;
            }
            QApplication::restoreOverrideCursor();
        }
        QDialog::accept();
    } catch (const std::exception& e) {
        error_->setText(QString::fromLocal8Bit(e.what()));
    }
}

} // namespace quantscope
