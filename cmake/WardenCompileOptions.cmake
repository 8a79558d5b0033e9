# Compiler settings for warden's own targets. Warnings are set per target, never globally, so a
# project that embeds warden with add_subdirectory keeps its own flags.

function(warden_target_options target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(WARDEN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(WARDEN_SANITIZE)
  # The whole build, so that sanitized and unsanitized code never mix.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
