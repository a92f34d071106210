#include "study/study_network.h"

#include "model/default_model.h"
#include "model/zoo.h"

namespace quantscope {

Network openStudyNetwork(const StudySpec& spec)
{
    return Network::open(spec.model.empty() ? defaultModelPath() : spec.model,
                         importedModelInput(parseDatasetKind(spec.dataset), spec.inputMean, spec.inputStd));
}

} // namespace quantscope
