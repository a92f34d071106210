// Trials files of `quantscope-cli gp` (docs/gp-files.md).
#include "common/error.h"
#include "fuzz_file.h"
#include "search/trial_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        quantscope::readTrialsCsv(quantscope::fuzz::writeScratch(data, size, ".csv"));
    } catch (const quantscope::Error&) {
    }
    return 0;
}
