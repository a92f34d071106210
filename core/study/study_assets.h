#pragma once

#include "data/dataset.h"
#include "model/network.h"
#include "common/progress.h"
#include "study/study_spec.h"
#include "train/quantized_evaluation.h"

#include <memory>

namespace quantscope {

/// What a study of a real network evaluates on, loaded once: its FP32 network, the data splits
/// with the data set's augmentation, and the quantizer settings. Read-only and shared by the
/// in-process evaluator, export and sensitivity, so that a study loads its network and data once.
struct StudyAssets {
    Network network;
    DataSplits splits;
    Augmentation augmentation;
    QuantSettings quant;

    /// Loads the network and data of `spec` (its model file, data set and split seed, cut to
    /// `spec.data.limit` images per split when set; openNetworkWithData). ModelError or DataError
    /// naming what is wrong, ConfigError for a study without a real network (the synthetic
    /// evaluator). Reports an image folder's indexing and decoding to `control`.
    static std::shared_ptr<const StudyAssets> load(const StudySpec& spec, const WorkControl& control = {});

    /// `spec` as a new study stores it: an imported network read from an image folder keeps the
    /// normalisation measured on the training images when the spec gives none.
    StudySpec withMeasuredNormalisation(StudySpec spec) const;
};

} // namespace quantscope
