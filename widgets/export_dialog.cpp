#include "export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>

namespace quantscope {

ExportDialog::ExportDialog(const StoredStudy& study, std::vector<TrialRow> trials, const QString& config,
                           const std::vector<ResultPoint>& front, QWidget* parent) :
    QDialog(parent),
    study_(study), trials_(std::move(trials)), format_(new QComboBox(this)), config_(new QLineEdit(config, this)),
    choices_(new QComboBox(this)), weights_(new QComboBox(this)), path_(new QLineEdit(this)),
    warnings_(new QPlainTextEdit(this)), error_(new QLabel(this))
{
    setWindowTitle(tr("Export"));
    format_->addItem(tr("Bits per layer (JSON)"), QStringLiteral("bits-json"));
    format_->addItem(tr("All trials (CSV)"), QStringLiteral("trials-csv"));
    format_->addItem(tr("AIMET encodings (JSON, uniform quantizer)"), QStringLiteral("aimet-json"));
    format_->addItem(tr("Quantized TorchScript model"), QStringLiteral("torchscript"));
    format_->addItem(tr("ONNX with QuantizeLinear/DequantizeLinear (uniform quantizer)"), QStringLiteral("onnx"));
    config_->setToolTip(tr("Bits per layer, e.g. 8,6,6,4,4,3,3,2,8 (empty for bits-json: the best measured)"));
    weights_->addItem(tr("As measured: the target-task trial's fine-tuned weights"), QStringLiteral("trial"));
    weights_->addItem(tr("Quantized only, not fine-tuned"), QStringLiteral("quantized"));
    weights_->addItem(tr("Final fine-tune: 5x the target budget, scored on the hold-out split"),
                      QStringLiteral("final"));
    weights_->setToolTip(
        tr("Model files (TorchScript, ONNX, AIMET) hold the weights the study measured: the "
           "configuration's target-task trial is fine-tuned again with its seed, steps and data "
           "(minutes; Cancel stops it). Without such a trial the file holds quantized weights the "
           "study never measured, and the log says so. A final fine-tune trains the configuration five times "
           "longer than the target task and reports its accuracy on the hold-out split, which no "
           "search decision has seen (NUQ's \"actual\" accuracy)."));
    choices_->addItem(tr("What-if: %1").arg(config), config);
    for (const ResultPoint& p : front)
        choices_->addItem(tr("Front: %1 (%2 %, %3 MB)")
                              .arg(QString::fromStdString(p.bits.toString()))
                              .arg(p.accuracy, 0, 'f', 2)
                              .arg(p.memoryMB, 0, 'f', 4),
                          QString::fromStdString(p.bits.toString()));
    choices_->setToolTip(tr("Fill in the what-if configuration or a point of the measured front"));
    connect(choices_, &QComboBox::activated, this,
            [this](int index) { config_->setText(choices_->itemData(index).toString()); });
    auto* browse = new QPushButton(tr("Browse..."), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export to"), path_->text());
        if (!path.isEmpty())
            path_->setText(path);
    });
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(path_, 1);
    fileRow->addWidget(browse);
    warnings_->setReadOnly(true);
    warnings_->setPlaceholderText(tr("No runtime warnings"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* form = new QFormLayout(this);
    form->addRow(tr("Format:"), format_);
    form->addRow(tr("Choose:"), choices_);
    form->addRow(tr("Configuration:"), config_);
    form->addRow(tr("Weights:"), weights_);
    form->addRow(tr("File:"), fileRow);
    form->addRow(tr("Runtimes:"), warnings_);
    error_->setStyleSheet(QStringLiteral("color: #b00020"));
    error_->setWordWrap(true);
    form->addRow(error_);
    form->addRow(buttons);
    connect(format_, &QComboBox::currentIndexChanged, this, &ExportDialog::updateWarnings);
    const auto weightsApply = [this] { // only model files hold weights
        const QString format = format_->currentData().toString();
        weights_->setEnabled(format != QStringLiteral("bits-json") && format != QStringLiteral("trials-csv"));
    };
    connect(format_, &QComboBox::currentIndexChanged, this, weightsApply);
    weightsApply();
    connect(config_, &QLineEdit::textChanged, this, &ExportDialog::updateWarnings);
    updateWarnings();
}

StudyExport ExportDialog::request() const
{
    StudyExport request;
    request.format = format_->currentData().toString().toStdString();
    const QString config = config_->text().trimmed();
    if (!config.isEmpty())
        request.bits = study_.parseConfig(config.toStdString()); // ConfigError: shown by the caller
    request.path = path_->text().toStdString();
    request.weights = weights_->currentData().toString().toStdString();
    return request;
}

void ExportDialog::accept()
{
    try {
        checkStudyExport(study_, request());
        QDialog::accept();
    } catch (const std::exception& e) {
        error_->setText(QString::fromLocal8Bit(e.what()));
    }
}

void ExportDialog::setFormat(const QString& format)
{
    format_->setCurrentIndex(format_->findData(format));
}

void ExportDialog::setPath(const QString& path)
{
    path_->setText(path);
}

QString ExportDialog::configuration() const
{
    return config_->text();
}

QString ExportDialog::errorText() const
{
    return error_->text();
}

QString ExportDialog::warnings() const
{
    return warnings_->toPlainText();
}

void ExportDialog::updateWarnings()
{
    if (config_->text().trimmed().isEmpty()) { // the default needs a GP fit: not on every keystroke
        warnings_->setPlainText(tr("Give a configuration to see which layers runtimes execute."));
        return;
    }
    try {
        QStringList lines;
        for (const std::string& warning : studyExportWarnings(study_, trials_, request()))
            lines << QString::fromStdString(warning);
        warnings_->setPlainText(lines.join(QLatin1Char('\n')));
    } catch (const std::exception& e) {
        warnings_->setPlainText(tr("Cannot export this: %1").arg(QString::fromLocal8Bit(e.what())));
    }
}

} // namespace quantscope
