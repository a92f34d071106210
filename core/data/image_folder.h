#pragma once

#include "common/progress.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace quantscope {

/// The images of a folder with one subfolder per class, found as torchvision's `ImageFolder`
/// finds them: classes are the subfolder names in sorted order (byte order of their UTF-8 names,
/// as Python sorts), and each class's files are those with an image extension (imageExtensions(),
/// case-insensitive) anywhere below its folder, walked with symbolic links followed, in the order
/// of sorted(os.walk(class folder)) then sorted file names. Unlike torchvision, hidden files and
/// folders (names starting with '.') are skipped, and each folder is entered once, so a symbolic
/// link loop ends.
struct ImageFolderIndex {
    std::string root;
    std::vector<std::string> classes;
    std::vector<size_t> classCounts; ///< images per class
    std::vector<int32_t> labels;     ///< per image, an index into `classes`
    /// Notes for the user: empty class folders, hidden folders left out, folders met twice.
    std::vector<std::string> warnings;

    size_t size() const { return labels.size(); }
    /// The path of image `index`.
    std::string path(size_t index) const;
    /// Appends an image of class `label` at `relative` (below the class folder).
    void add(int32_t label, const std::string& relative);

private:
    std::string names_;             ///< class-relative paths, each ended by '\0' (compact for millions of files)
    std::vector<uint64_t> offsets_; ///< where each image's path starts in names_
};

/// Indexes the class folders of `root`. `classes`, when given, are the class names to label
/// with (a hold-out folder's must be among its training folder's; missing ones are reported
/// empty). Reports progress ("index", folders done of all class folders). Throws DataError when
/// `root` is not a folder or has no class folders, and ConfigError for a class not in `classes`.
ImageFolderIndex indexImageFolder(const std::string& root, const std::vector<std::string>& classes = {},
                                  const WorkControl& control = {});

/// An image folder's class names and one of its images, found without indexing every file:
/// what checking a network's input against the folder needs. DataError as indexImageFolder's,
/// and when no class folder holds an image.
struct ImageFolderGlance {
    std::vector<std::string> classes;
    std::string firstImage;
};
ImageFolderGlance glanceAtImageFolder(const std::string& root);

/// The layout of an image-folder data set: `train` and `val` folders (also `validation` or `test`
/// in place of `val`) of class folders, or one folder of class folders.
struct ImageFolderLayout {
    std::string train;   ///< the class folders' parent (the whole data set in the one-folder layout)
    std::string holdout; ///< empty in the one-folder layout
};
/// DataError for a `train/` folder without a hold-out folder beside it (it would otherwise become a
/// class).
ImageFolderLayout imageFolderLayout(const std::string& root);

} // namespace quantscope
