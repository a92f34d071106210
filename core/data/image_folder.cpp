#include "data/image_folder.h"

#include "common/error.h"
#include "data/image_decoder.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <utility>

namespace quantscope {

std::string ImageFolderIndex::path(size_t index) const
{
    const size_t label = size_t(labels.at(index));
    return root + "/" + classes[label] + "/" + std::string(names_.c_str() + offsets_.at(index));
}

void ImageFolderIndex::add(int32_t label, const std::string& relative)
{
    offsets_.push_back(names_.size());
    names_ += relative;
    names_ += '\0';
    labels.push_back(label);
    ++classCounts.at(size_t(label));
}

namespace {

bool hidden(const char* name)
{
    return name[0] == '.';
}

bool hasImageExtension(const std::string& name)
{
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    for (const std::string& extension : imageExtensions()) {
        if (lower.size() >= extension.size()
            && lower.compare(lower.size() - extension.size(), std::string::npos, extension) == 0)
            return true;
    }
    return false;
}

struct Entry {
    std::string name;
    bool directory = false;
    bool special = false; ///< a FIFO, socket or device: reading it could block or never end

    bool operator<(const Entry& other) const { return name < other.name; }
};

/// The entries of `dir` that are not hidden (hidden folders' names go to `hiddenNames` when given), with
/// symbolic links resolved, sorted by name; `error` is errno when it cannot be read (0 when it could).
std::vector<Entry> listDirectory(const std::string& dir, int* error, std::vector<std::string>* hiddenNames = nullptr)
{
    std::vector<Entry> entries;
    std::unique_ptr<DIR, int (*)(DIR*)> handle(opendir(dir.c_str()), closedir);
    *error = handle ? 0 : errno;
    if (!handle)
        return entries;
    while (true) {
        errno = 0;
        const dirent* entry = readdir(handle.get());
        if (!entry) {
            *error = errno; // 0 at the end of the folder
            break;
        }
        if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0)
            continue;
        Entry e{entry->d_name, entry->d_type == DT_DIR};
        e.special =
            entry->d_type == DT_FIFO || entry->d_type == DT_SOCK || entry->d_type == DT_CHR || entry->d_type == DT_BLK;
        if (entry->d_type == DT_LNK || entry->d_type == DT_UNKNOWN) {
            struct stat info {};
            // A broken link is a file, as os.walk lists it (and decoding it fails later, named).
            const bool resolved = ::stat((dir + "/" + e.name).c_str(), &info) == 0;
            e.directory = resolved && S_ISDIR(info.st_mode);
            e.special = resolved && !S_ISDIR(info.st_mode) && !S_ISREG(info.st_mode);
        }
        if (hidden(entry->d_name)) {
            if (hiddenNames && e.directory)
                hiddenNames->push_back(e.name);
            continue;
        }
        entries.push_back(std::move(e));
    }
    std::sort(entries.begin(), entries.end()); // the same order on every file system
    return entries;
}

std::string readError(const std::string& dir, int error)
{
    return "cannot read folder " + dir + " (" + std::strerror(error) + "): its images are left out";
}

using DirectoryId = std::pair<dev_t, ino_t>;

/// Every folder below `dir` (its path relative to the class folder, "" for the class folder
/// itself) with its image files, each folder once.
void walk(const std::string& dir, const std::string& relative, std::set<DirectoryId>& entered,
          std::vector<std::pair<std::string, std::vector<std::string>>>& folders, std::vector<std::string>& warnings)
{
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0)
        return;
    if (!entered.insert({info.st_dev, info.st_ino}).second) {
        warnings.push_back(dir + " is reached again through a symbolic link: its images are indexed once");
        return;
    }
    int error = 0;
    std::vector<Entry> entries = listDirectory(dir, &error);
    if (error != 0)
        warnings.push_back(readError(dir, error));
    std::vector<std::string> files;
    for (const Entry& e : entries) {
        if (e.directory)
            walk(dir + "/" + e.name, relative.empty() ? e.name : relative + "/" + e.name, entered, folders, warnings);
        else if (e.special && hasImageExtension(e.name))
            warnings.push_back(dir + "/" + e.name + " is not a regular file (a pipe, socket or device): left out");
        else if (hasImageExtension(e.name))
            files.push_back(e.name);
    }
    std::sort(files.begin(), files.end());
    folders.emplace_back(relative, std::move(files));
}

} // namespace

ImageFolderIndex indexImageFolder(const std::string& root, const std::vector<std::string>& classes,
                                  const WorkControl& control)
{
    struct stat info {};
    if (::stat(root.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
        throw DataError("image folder not found: " + root);
    int error = 0;
    std::vector<std::string> hiddenNames;
    std::vector<Entry> entries = listDirectory(root, &error, &hiddenNames);
    if (error != 0)
        throw DataError("cannot read image folder " + root + " (" + std::strerror(error) + ")");
    std::vector<std::string> found;
    for (const Entry& e : entries) {
        if (e.directory)
            found.push_back(e.name);
    }
    std::sort(found.begin(), found.end());
    if (found.empty())
        throw DataError(root
                        + " has no class folders: an image folder holds one subfolder of images per class"
                          " (or train/ and val/ folders of them)");

    ImageFolderIndex index;
    index.root = root;
    std::sort(hiddenNames.begin(), hiddenNames.end());
    for (const std::string& name : hiddenNames)
        index.warnings.push_back("hidden " + root + "/" + name
                                 + " is not a class (torchvision's ImageFolder would count a hidden folder as one)");
    index.classes = classes.empty() ? found : classes;
    index.classCounts.assign(index.classes.size(), 0);
    for (const std::string& name : found) {
        if (std::find(index.classes.begin(), index.classes.end(), name) == index.classes.end())
            throw ConfigError(root + "/" + name + " is not a class of the training folder (which has "
                              + std::to_string(index.classes.size()) + " classes, '" + index.classes.front() + "' to '"
                              + index.classes.back() + "')");
    }
    for (size_t c = 0; c < index.classes.size(); ++c) {
        control.checkCancelled();
        const std::string& name = index.classes[c];
        if (std::binary_search(found.begin(), found.end(), name)) {
            std::set<DirectoryId> entered;
            std::vector<std::pair<std::string, std::vector<std::string>>> folders;
            walk(root + "/" + name, "", entered, folders, index.warnings);
            std::sort(folders.begin(), folders.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            for (const auto& [relative, files] : folders)
                for (const std::string& file : files)
                    index.add(int32_t(c), relative.empty() ? file : relative + "/" + file);
        }
        if (index.classCounts[c] == 0)
            index.warnings.push_back("class '" + name + "' has no images in " + root);
        control.report("index " + root, int64_t(c + 1), int64_t(index.classes.size()));
    }
    return index;
}

namespace {

/// The first image below `dir` (its own files first, then its folders in name order), or "".
std::string firstImageBelow(const std::string& dir, std::set<DirectoryId>& entered)
{
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0 || !entered.insert({info.st_dev, info.st_ino}).second)
        return {};
    int error = 0;
    const std::vector<Entry> entries = listDirectory(dir, &error);
    for (const Entry& e : entries)
        if (!e.directory && !e.special && hasImageExtension(e.name))
            return dir + "/" + e.name;
    for (const Entry& e : entries)
        if (e.directory)
            if (std::string found = firstImageBelow(dir + "/" + e.name, entered); !found.empty())
                return found;
    return {};
}

} // namespace

ImageFolderGlance glanceAtImageFolder(const std::string& root)
{
    struct stat info {};
    if (::stat(root.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
        throw DataError("image folder not found: " + root);
    int error = 0;
    ImageFolderGlance glance;
    for (const Entry& e : listDirectory(root, &error))
        if (e.directory)
            glance.classes.push_back(e.name);
    if (error != 0)
        throw DataError("cannot read image folder " + root + " (" + std::strerror(error) + ")");
    if (glance.classes.empty())
        throw DataError(root
                        + " has no class folders: an image folder holds one subfolder of images per class"
                          " (or train/ and val/ folders of them)");
    for (const std::string& name : glance.classes) {
        std::set<DirectoryId> entered;
        glance.firstImage = firstImageBelow(root + "/" + name, entered);
        if (!glance.firstImage.empty())
            return glance;
    }
    throw DataError(root
                    + " holds no images (files ending .jpg, .jpeg, .png, .bmp, .webp, .ppm or .pgm in its class "
                      "folders)");
}

ImageFolderLayout imageFolderLayout(const std::string& root)
{
    auto isFolder = [](const std::string& path) {
        struct stat info {};
        return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
    };
    if (isFolder(root + "/train")) {
        for (const char* holdout : {"val", "validation", "test"}) {
            if (isFolder(root + "/" + holdout))
                return {root + "/train", root + "/" + holdout};
        }
        // Else "train" would become a class of a one-folder data set.
        throw DataError(root + " has train/ but no val/ (or validation/, test/) beside it: add one, or give --data-dir "
                        + root + "/train to hold out a share of it");
    }
    return {root, {}};
}

} // namespace quantscope
