#include "data/gzip_file.h"

#include "common/error.h"

#include <zlib.h>

#include <filesystem>

namespace quantscope {

std::vector<uint8_t> readMaybeGzipFile(const std::string& path)
{
    if (!std::filesystem::exists(path))
        throw DataError("data file not found: " + path);
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file)
        throw DataError("cannot open data file: " + path);

    std::vector<uint8_t> content;
    std::vector<uint8_t> chunk(1 << 20);
    for (;;) {
        const int n = gzread(file, chunk.data(), unsigned(chunk.size()));
        if (n < 0) {
            int code = 0;
            const std::string reason = gzerror(file, &code);
            gzclose(file);
            throw DataError("corrupt compressed data in " + path + ": " + reason);
        }
        if (n == 0)
            break;
        content.insert(content.end(), chunk.begin(), chunk.begin() + n);
    }
    // A gzip stream cut short reads as a clean end of file; gzclose reports it.
    const int closeCode = gzclose(file);
    if (closeCode == Z_BUF_ERROR)
        throw DataError("truncated compressed data in " + path);
    if (closeCode != Z_OK)
        throw DataError("cannot read data file: " + path);
    return content;
}

} // namespace quantscope
