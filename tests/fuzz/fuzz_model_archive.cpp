// The check every model file passes before LibTorch reads it (zip members, CRC, declared sizes).
#include "common/error.h"
#include "fuzz_file.h"
#include "model/model_archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        quantscope::checkModelArchive(quantscope::fuzz::writeScratch(data, size, ".pt"));
    } catch (const quantscope::Error&) {
    }
    return 0;
}
