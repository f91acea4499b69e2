# Copies every .h under SRC to DST, keeping the folder structure.
file(GLOB_RECURSE headers RELATIVE ${SRC} ${SRC}/*.h)
foreach(h ${headers})
  get_filename_component(dir ${h} DIRECTORY)
  file(MAKE_DIRECTORY ${DST}/${dir})
  file(COPY ${SRC}/${h} DESTINATION ${DST}/${dir})
endforeach()
