#pragma once

#include "model/network.h"
#include "study/study_spec.h"

namespace quantscope {

/// The network study `spec` quantizes: its model file (the shipped one when none is named), a
/// TorchScript file imported for the data set's input and the spec's normalisation. ModelError
/// or DataError naming what is wrong. Apart from StudySpec so that specs stay plain data.
Network openStudyNetwork(const StudySpec& spec);

} // namespace quantscope
