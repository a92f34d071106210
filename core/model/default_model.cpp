#include "model/default_model.h"

#include <cstdlib>
#include <filesystem>

namespace quantscope {

std::string defaultModelPath()
{
    if (const char* path = std::getenv("QUANTSCOPE_DEFAULT_MODEL"))
        return path;
    const std::filesystem::path sourceCopy = QUANTSCOPE_DEFAULT_MODEL;
    // An installed program uses the model installed beside it (<prefix>/bin -> <prefix>/share),
    // wherever the package was unpacked; a build uses the source tree's copy.
    std::error_code error;
    const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error) {
        const std::filesystem::path besideProgram =
            executable.parent_path().parent_path() / "share" / "quantscope" / "models" / sourceCopy.filename();
        if (std::filesystem::exists(besideProgram))
            return besideProgram.string();
    }
    const std::filesystem::path installed =
        std::filesystem::path(QUANTSCOPE_INSTALLED_DATA_DIR) / "models" / sourceCopy.filename();
    if (std::filesystem::exists(sourceCopy) || !std::filesystem::exists(installed))
        return sourceCopy.string();
    return installed.string();
}

} // namespace quantscope
