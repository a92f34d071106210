// Study specs of `quantscope-cli study create --spec` and the New Study dialog. A spec that is
// accepted is stored as toJson() and read back with fromJson() whenever the study opens, so beyond
// not crashing, every accepted spec must read back to the same text: otherwise the study it
// created could never be opened again.
#include "common/error.h"
#include "study/study_spec.h"

#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string stored;
    try {
        stored = quantscope::StudySpec::fromJson(std::string(reinterpret_cast<const char*>(data), size)).toJson();
    } catch (const quantscope::Error&) {
        return 0;
    }
    try {
        const std::string again = quantscope::StudySpec::fromJson(stored).toJson();
        if (again != stored) {
            std::fprintf(stderr, "stored spec reads back differently:\n%s\n%s\n", stored.c_str(), again.c_str());
            std::abort();
        }
    } catch (const quantscope::Error& e) {
        std::fprintf(stderr, "stored spec is refused when read back: %s\n%s\n", e.what(), stored.c_str());
        std::abort();
    }
    return 0;
}
