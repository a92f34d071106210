# Installation layout and the Debian package (CPack DEB). `installer/package.sh` builds it.
# The package depends on Debian's libraries (dpkg-shlibdeps finds them from the binaries) and
# on the data set, rather than bundling anything.
install(FILES ${QUANTSCOPE_DEFAULT_MODEL} DESTINATION ${CMAKE_INSTALL_DATADIR}/quantscope/models)
install(FILES ${QUANTSCOPE_RESOURCE_DIR}/desktop/io.github.quantscope.Quantscope.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${QUANTSCOPE_RESOURCE_DIR}/desktop/io.github.quantscope.Quantscope.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${QUANTSCOPE_RESOURCE_DIR}/icons/io.github.quantscope.Quantscope.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)

# The command line's man page, generated from its --help by help2man.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(manpage ${CMAKE_BINARY_DIR}/quantscope-cli.1)
  add_custom_command(OUTPUT ${manpage}.gz
    COMMAND ${HELP2MAN} --no-info --name "mixed-precision quantization search from the command line"
            --output ${manpage} $<TARGET_FILE:quantscope-cli>
    COMMAND gzip -9nf ${manpage}
    DEPENDS quantscope-cli VERBATIM)
  add_custom_target(manpage ALL DEPENDS ${manpage}.gz)
  install(FILES ${manpage}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME quantscope)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Quantscope developers <quantscope@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "mixed-precision quantization workbench for neural networks")
set(CPACK_PACKAGE_DESCRIPTION "Quantscope searches per-layer bit widths of CNNs with a multi-task Gaussian process\n\
whose tasks are fine-tuning budgets: a Qt desktop workbench (quantscope) and a command line\n\
(quantscope-cli) for studies, sensitivity, Pareto fronts and export.")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded at run time, not linked: the data set and the BLAS implementation Debian's LibTorch uses.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "dataset-fashion-mnist, libopenblas0-pthread | libopenblas0")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3-torch, python3-onnx")
set(CPACK_STRIP_FILES ON)
include(CPack)
