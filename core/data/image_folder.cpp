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
};

/// The entries of `dir` that are not hidden (hidden folders' names go to `hiddenNames` when given), with
/// symbolic links resolved; `ok` false when it cannot be read.
std::vector<Entry> listDirectory(const std::string& dir, bool* ok, std::vector<std::string>* hiddenNames = nullptr)
{
    std::vector<Entry> entries;
    std::unique_ptr<DIR, int (*)(DIR*)> handle(opendir(dir.c_str()), closedir);
    *ok = handle != nullptr;
    if (!handle)
        return entries;
    while (const dirent* entry = readdir(handle.get())) {
        if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0)
            continue;
        Entry e{entry->d_name, entry->d_type == DT_DIR};
        if (entry->d_type == DT_LNK || entry->d_type == DT_UNKNOWN) {
            struct stat info {};
            // A broken link is a file, as os.walk lists it (and decoding it fails later, named).
            e.directory = ::stat((dir + "/" + e.name).c_str(), &info) == 0 && S_ISDIR(info.st_mode);
        }
        if (hidden(entry->d_name)) {
            if (hiddenNames && e.directory)
                hiddenNames->push_back(e.name);
            continue;
        }
        entries.push_back(std::move(e));
    }
    return entries;
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
    bool ok = false;
    std::vector<Entry> entries = listDirectory(dir, &ok);
    if (!ok) {
        warnings.push_back("cannot read folder " + dir + " (" + std::strerror(errno) + "): its images are left out");
        return;
    }
    std::vector<std::string> files;
    for (const Entry& e : entries) {
        if (e.directory)
            walk(dir + "/" + e.name, relative.empty() ? e.name : relative + "/" + e.name, entered, folders, warnings);
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
    bool ok = false;
    std::vector<std::string> hiddenNames;
    std::vector<Entry> entries = listDirectory(root, &ok, &hiddenNames);
    if (!ok)
        throw DataError("cannot read image folder " + root + " (" + std::strerror(errno) + ")");
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
    }
    return {root, {}};
}

} // namespace quantscope
