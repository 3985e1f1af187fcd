{
  # Built by scripts/build-native.mjs (npm run build:native). When it compiled the CUDA backend
  # it passes the object and library folder through RAYFARM_CUDA_OBJ / RAYFARM_CUDA_LIB.
  "variables": {
    "cuda_obj%": "<!(node -p \"process.env.RAYFARM_CUDA_OBJ || ''\")",
    "cuda_lib%": "<!(node -p \"process.env.RAYFARM_CUDA_LIB || ''\")"
  },
  "targets": [
    {
      "target_name": "rayfarm_native",
      "sources": [
        "src/addon.cc",
        "src/js_scene.cc",
        "src/scene.cc",
        "src/environment.cc",
        "src/bvh.cc",
        "src/bvh8.cc",
        "src/render.cc",
        "src/benchmark.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_CPP_EXCEPTIONS",
        "NODE_ADDON_API_CPP_EXCEPTIONS_ALL",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags!": ["-fno-exceptions", "-O2", "-O0"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-O2", "-O0"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fno-math-errno", "-ffp-contract=off"],
      "conditions": [
        ["target_arch=='x64'", { "cflags_cc": ["-march=x86-64-v2"] }],
        ["cuda_obj!=''", {
          "defines": ["RF_HAS_CUDA=1"],
          "libraries": ["<(cuda_obj)", "-L<(cuda_lib)", "-lcudart_static", "-ldl", "-lrt", "-lpthread"]
        }]
      ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-math-errno"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17", "/O2"] } }
    }
  ]
}
