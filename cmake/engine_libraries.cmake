# Kept libraries the engine uses instead of hand-written parts: nlohmann/json (the inspector's JSON)
# and zlib (the CRC-32 of plans and timing caches). Both are Debian packages (nlohmann-json3-dev,
# zlib1g-dev; scripts/setup.sh installs them). A machine without them (the GPU machine has no
# network) takes nlohmann/json's headers from .deps/nlohmann/include and zlib's header from
# .deps/zlib/include with the system's run-time libz.so.1.

find_package(nlohmann_json 3.2 CONFIG QUIET)
if(NOT nlohmann_json_FOUND)
  set(TORCHTRT_NLOHMANN_JSON_INCLUDE "${PROJECT_SOURCE_DIR}/.deps/nlohmann/include"
      CACHE PATH "nlohmann/json headers when no installed nlohmann_json")
  if(NOT EXISTS ${TORCHTRT_NLOHMANN_JSON_INCLUDE}/nlohmann/json.hpp)
    message(FATAL_ERROR "nlohmann/json not found (the engine inspector writes JSON with it): install "
                        "nlohmann-json3-dev (apt-get install nlohmann-json3-dev; scripts/setup.sh does) or copy "
                        "its nlohmann/ header folder to ${TORCHTRT_NLOHMANN_JSON_INCLUDE} (or set "
                        "TORCHTRT_NLOHMANN_JSON_INCLUDE)")
  endif()
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED GLOBAL)
  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES
                                                                ${TORCHTRT_NLOHMANN_JSON_INCLUDE})
endif()

find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  set(TORCHTRT_ZLIB_INCLUDE "${PROJECT_SOURCE_DIR}/.deps/zlib/include" CACHE PATH "zlib.h when no installed zlib1g-dev")
  # Without the development package there is no libz.so link, only the run-time library.
  find_library(TORCHTRT_ZLIB_LIBRARY NAMES z libz.so.1)
  if(NOT EXISTS ${TORCHTRT_ZLIB_INCLUDE}/zlib.h OR NOT TORCHTRT_ZLIB_LIBRARY)
    message(FATAL_ERROR "zlib not found (plans are checked with its CRC-32): install zlib1g-dev (apt-get install "
                        "zlib1g-dev; scripts/setup.sh does) or copy zlib.h and zconf.h to ${TORCHTRT_ZLIB_INCLUDE} "
                        "(or set TORCHTRT_ZLIB_INCLUDE) with libz.so.1 installed (found: '${TORCHTRT_ZLIB_LIBRARY}')")
  endif()
  add_library(ZLIB::ZLIB UNKNOWN IMPORTED GLOBAL)
  set_target_properties(ZLIB::ZLIB PROPERTIES IMPORTED_LOCATION ${TORCHTRT_ZLIB_LIBRARY}
                                              INTERFACE_INCLUDE_DIRECTORIES ${TORCHTRT_ZLIB_INCLUDE})
endif()
