# ASan + UBSan for developer builds (preset "dev"). Applied to every target,
# since sanitizer runtimes must be linked into the final executables.
if(EEM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
