#include "model/model_archive.h"

#include "common/error.h"

#include <zip.h>

#include <filesystem>
#include <memory>
#include <vector>

namespace quantscope {
namespace {

/// Stored weights do not compress; deflate reaches about 1000:1 only on degenerate data. A file
/// whose members claim more than this ratio over its own size is refused before inflating them.
constexpr zip_uint64_t kMaxExpansion = 64;

std::string zipError(int code)
{
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    const std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    return text;
}

} // namespace

void checkModelArchive(const std::string& path)
{
    int code = 0;
    std::unique_ptr<zip_t, decltype(&zip_discard)> archive(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code),
                                                           &zip_discard);
    if (!archive) {
        if (code == ZIP_ER_NOZIP || code == ZIP_ER_NOENT || code == ZIP_ER_OPEN || code == ZIP_ER_READ)
            return; // not a zip archive (or unreadable): the loaders say which
        throw ModelError("model file " + path + " is corrupt: its zip directory is damaged (" + zipError(code) + ")");
    }
    const zip_int64_t members = zip_get_num_entries(archive.get(), 0);
    const zip_uint64_t fileSize = std::filesystem::file_size(path);
    zip_uint64_t declared = 0;
    for (zip_int64_t i = 0; i < members; ++i) {
        zip_stat_t stat;
        if (zip_stat_index(archive.get(), zip_uint64_t(i), 0, &stat) == 0 && (stat.valid & ZIP_STAT_SIZE))
            declared += stat.size;
    }
    if (declared > kMaxExpansion * (fileSize + 4096))
        throw ModelError("model file " + path + " is corrupt or hostile: its members declare "
                         + std::to_string(declared >> 20) + " MiB of contents in a " + std::to_string(fileSize >> 20)
                         + " MiB file");
    std::vector<char> buffer(1 << 16);
    for (zip_int64_t i = 0; i < members; ++i) {
        const char* name = zip_get_name(archive.get(), zip_uint64_t(i), 0);
        const std::string member = name ? name : "#" + std::to_string(i);
        zip_file_t* file = zip_fopen_index(archive.get(), zip_uint64_t(i), 0);
        if (!file)
            throw ModelError("model file " + path + " is corrupt: member '" + member + "' cannot be read ("
                             + zip_strerror(archive.get()) + ")");
        zip_int64_t n = 0;
        while ((n = zip_fread(file, buffer.data(), buffer.size())) > 0) {}
        const std::string error = n < 0 ? zip_file_strerror(file) : std::string();
        zip_fclose(file);
        if (n < 0)
            throw ModelError("model file " + path + " is corrupt: member '" + member + "' fails its check (" + error
                             + "); the file was damaged after it was written");
    }
}

} // namespace quantscope
