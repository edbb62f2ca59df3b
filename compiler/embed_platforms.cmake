# Writes OUT: a C++ file defining harc::BuiltinPlatforms() from FILES.
set(body "")
foreach(f IN LISTS FILES)
  get_filename_component(name ${f} NAME)
  file(READ ${f} text)
  string(APPEND body "    {\"<builtin>/${name}\", R\"harc_platform(${text})harc_platform\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from schemas/platforms/*.toml by embed_platforms.cmake.\n"
  "#include \"compiler/builtin_platforms.h\"\n\n"
  "namespace harc {\n\n"
  "const std::vector<SourceFile>& BuiltinPlatforms() {\n"
  "  static const std::vector<SourceFile> files = {\n${body}  };\n"
  "  return files;\n}\n\n}  // namespace harc\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
