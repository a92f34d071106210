#pragma once

#include <QMainWindow>

#include <memory>

class QLabel;
class QTableView;

namespace quantscope {

class LayerTableModel;
class Network;

/// The workbench window. It only wires panels to core objects; panels and models live in widgets/.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Loads a model file; shows an error dialog (and keeps the current model) when it fails.
    bool openModel(const QString& path);

private:
    void createMenus();
    void showAbout();

    std::unique_ptr<Network> network_;
    LayerTableModel* layerModel_ = nullptr;
    QTableView* layerView_ = nullptr;
    QLabel* summary_ = nullptr;
};

} // namespace quantscope
