# The image decoders core's data/ links (docs/data.md says why these): libjpeg-turbo's TurboJPEG,
# libspng, libwebp and stb_image, from Debian's -dev packages through pkg-config. Included by
# core/CMakeLists.txt and by the fuzzing project (tests/fuzz), which build the same sources.
find_package(PkgConfig REQUIRED)
pkg_check_modules(TURBOJPEG REQUIRED IMPORTED_TARGET libturbojpeg)
pkg_check_modules(SPNG REQUIRED IMPORTED_TARGET spng)
pkg_check_modules(WEBP REQUIRED IMPORTED_TARGET libwebp)
pkg_check_modules(STB REQUIRED IMPORTED_TARGET stb)
set(QUANTSCOPE_IMAGE_LIBRARIES PkgConfig::TURBOJPEG PkgConfig::SPNG PkgConfig::WEBP PkgConfig::STB)
