# Installs the libraries, the public headers and a CMake package, so that an embedder writes
#   find_package(warden CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE warden::dcs)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(WARDEN_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/warden")

install(TARGETS ${WARDEN_INSTALLED_TARGETS}
  EXPORT wardenTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/warden" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT wardenTargets NAMESPACE warden:: DESTINATION ${WARDEN_CMAKE_DIR})

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/wardenConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/wardenConfig.cmake"
  INSTALL_DESTINATION ${WARDEN_CMAKE_DIR})
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/wardenConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/wardenConfig.cmake"
  "${PROJECT_BINARY_DIR}/wardenConfigVersion.cmake"
  DESTINATION ${WARDEN_CMAKE_DIR})
