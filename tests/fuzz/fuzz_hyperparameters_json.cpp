// Hyperparameter files of `quantscope-cli gp --hyperparameters`.
#include "common/error.h"
#include "gp/mtgp_hyperparameters.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const quantscope::MtgpHyperparameters h =
            quantscope::MtgpHyperparameters::fromJson(std::string(reinterpret_cast<const char*>(data), size));
        h.taskCorrelation(); // what the command prints from an accepted file
    } catch (const quantscope::Error&) {
    }
    return 0;
}
