// CIFAR-10 binary batches.
#include "common/error.h"
#include "data/cifar_reader.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        quantscope::readCifar10({quantscope::fuzz::writeScratch(data, size, ".bin")});
    } catch (const quantscope::Error&) {
    }
    return 0;
}
