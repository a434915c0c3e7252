{
  # node-gyp build of the portable CPU backend: native/core (math, no N-API) + native/addon (glue).
  # The MLX backend builds separately with cmake-js (native/CMakeLists.txt) where MLX is installed.
  "targets": [
    {
      "target_name": "ncp_silicon",
      "sources": [
        "native/core/thread_pool.cpp",
        "native/core/cpu_features.cpp",
        "native/core/lstm.cpp",
        "native/core/ltc.cpp",
        "native/core/ltc_pack.cpp",
        "native/core/ltc_rows.cpp",
        "native/core/cfc_dense.cpp",
        "native/core/cfc_head.cpp",
        "native/core/cfc.cpp",
        "native/core/wired_cfc.cpp",
        "native/core/optim.cpp",
        "native/core/profiler.cpp",
        "native/core/calibrate.cpp",
        "native/addon/addon.cpp",
        "native/addon/buffers.cpp",
        "native/addon/config_fields.cpp",
        "native/addon/errors.cpp",
        "native/addon/kernels.cpp",
        "native/addon/cell_config.cpp",
        "native/addon/model_factory.cpp",
        "native/addon/model_wrap.cpp",
        "native/addon/sequence_args.cpp",
        "native/addon/loss_args.cpp",
        "native/addon/ltc_binding.cpp",
        "native/addon/cfc_binding.cpp",
        "native/addon/optim_binding.cpp",
        "native/addon/monitor_binding.cpp"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NAPI_CPP_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      # Hidden visibility: only the N-API entry point (declared visible by node-api) is exported; kernels bind locally.
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-fno-math-errno", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [
        ["OS!='mac'", {
          "sources": ["native/apple/no_apple.cpp"]
        }],
        ["target_arch=='x64'", {
          # Shipped flags name a fixed ISA level, never -march=native; the loader checks the CPU first.
          "cflags_cc": ["-march=x86-64-v3"]
        }],
        ["target_arch=='arm64' and OS=='linux'", {
          "cflags_cc": ["-march=armv8-a+simd"]
        }],
        ["OS=='mac'", {
          "sources": ["native/apple/apple_device.mm"],
          "link_settings": { "libraries": ["-framework Metal", "-framework Foundation"] },
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "CLANG_CXX_LIBRARY": "libc++",
            "MACOSX_DEPLOYMENT_TARGET": "11.0",
            "GCC_OPTIMIZATION_LEVEL": "3",
            "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
            "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-fexceptions", "-fno-math-errno", "-Wall", "-Wextra", "-Wno-unused-parameter"]
          }
        }]
      ]
    }
  ]
}
