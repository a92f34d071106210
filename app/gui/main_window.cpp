#include "main_window.h"

#include "layer_table_model.h"
#include "model/network.h"
#include "model/zoo.h"

#include <QApplication>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTableView>
#include <QVBoxLayout>

namespace quantscope {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Quantscope"));
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    summary_ = new QLabel(tr("No model loaded"), central);
    layerModel_ = new LayerTableModel(this);
    layerView_ = new QTableView(central);
    layerView_->setModel(layerModel_);
    layerView_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layerView_->setSelectionBehavior(QAbstractItemView::SelectRows);
    layout->addWidget(summary_);
    layout->addWidget(layerView_);
    setCentralWidget(central);
    createMenus();
    resize(900, 560);
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Model..."), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Model"), {}, tr("Quantscope or TorchScript models (*.pt *.pth)"));
        if (!path.isEmpty())
            openModel(path);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Quantscope"), this, &MainWindow::showAbout);
}

bool MainWindow::openModel(const QString& path)
{
    try {
        // TorchScript files are imported for Fashion-MNIST's input (the new-study dialog will choose).
        auto network = std::make_unique<Network>(
            Network::open(path.toStdString(), importedModelInput(DatasetKind::FashionMnist, {}, {})));
        layerModel_->setLayers(network->layers());
        summary_->setText(tr("%1 — %2, input %3, %4 quantizable layers, %5 parameters")
                              .arg(path, QString::fromStdString(network->spec().architecture),
                                   QString::fromStdString(network->spec().inputShapeText()))
                              .arg(network->layers().size())
                              .arg(network->parameterCount()));
        network_ = std::move(network);
        statusBar()->showMessage(tr("Loaded %1").arg(path), 5000);
        return true;
    } catch (const std::exception& e) {
        QMessageBox::critical(this, tr("Cannot open model"), QString::fromLocal8Bit(e.what()));
        return false;
    }
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Quantscope"),
                       tr("<b>Quantscope %1</b><p>Mixed-precision quantization search with multi-task Gaussian "
                          "processes.</p><p>Qt %2</p>")
                           .arg(QStringLiteral(QUANTSCOPE_VERSION), QString::fromLatin1(qVersion())));
}

} // namespace quantscope
