# ASan + UBSan for developer builds (preset "dev"). Applied to every target,
# since sanitizer runtimes must be linked into the final executables.
# float-cast-overflow is not part of GCC's "undefined" group: a double out of
# an integer's range cast to it (a far-future JWT NumericDate) is caught only
# when it is named.
if(EEM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined,float-cast-overflow)
  add_link_options(-fsanitize=address,undefined,float-cast-overflow)
endif()
