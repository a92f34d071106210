#include "model/default_model.h"

#include <cstdlib>
#include <filesystem>

namespace quantscope {

std::string defaultModelPath()
{
    if (const char* path = std::getenv("QUANTSCOPE_DEFAULT_MODEL"))
        return path;
    const std::filesystem::path sourceCopy = QUANTSCOPE_DEFAULT_MODEL;
    const std::filesystem::path installed =
        std::filesystem::path(QUANTSCOPE_INSTALLED_DATA_DIR) / "models" / sourceCopy.filename();
    if (std::filesystem::exists(sourceCopy) || !std::filesystem::exists(installed))
        return sourceCopy.string();
    return installed.string();
}

} // namespace quantscope
