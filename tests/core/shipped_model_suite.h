#pragma once

#include "data/dataset.h"
#include "model/default_model.h"
#include "model/network.h"

#include <gtest/gtest.h>

#include <memory>

namespace quantscope::test {

/// A test suite on the shipped model and the real Fashion-MNIST (Debian's dataset-fashion-mnist),
/// loaded once for all its tests. `Base`: testing::Test or testing::TestWithParam<T>.
template <typename Base> class ShippedModelSuite : public Base {
protected:
    static void SetUpTestSuite()
    {
        network_ = std::make_unique<Network>(Network::load(defaultModelPath()));
        dataset_ = std::make_unique<Dataset>(loadDataset(DatasetKind::FashionMnist));
        splits_ = std::make_unique<DataSplits>(splitDataset(*dataset_));
    }
    static void TearDownTestSuite()
    {
        splits_.reset();
        dataset_.reset();
        network_.reset();
    }
    static inline std::unique_ptr<Network> network_;
    static inline std::unique_ptr<Dataset> dataset_;
    static inline std::unique_ptr<DataSplits> splits_;
};

} // namespace quantscope::test
