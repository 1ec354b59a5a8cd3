{
  "targets": [
    {
      "target_name": "iunet_native",
      "sources": [
        "src/module.c",
        "src/napi_args.c",
        "src/blas.c",
        "src/threads.c",
        "src/sparse_pattern.c",
        "src/sparse.c",
        "src/elementwise.c",
        "src/conv.c",
        "src/conv_pool.c"
      ],
      "cflags_c": ["-O3", "-std=gnu11", "-fvisibility=hidden", "-fopenmp-simd", "-fno-strict-aliasing", "-Wall", "-Wno-unused-parameter"],
      "conditions": [
        ["OS=='linux'", {
          "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
          "libraries": ["-ldl", "-lpthread"],
          "defines": ["IUNET_OPENBLAS=1"]
        }],
        ["OS=='mac'", {
          "libraries": ["-framework Accelerate"],
          "defines": ["IUNET_ACCELERATE=1", "ACCELERATE_NEW_LAPACK=1"],
          "xcode_settings": { "OTHER_CFLAGS": ["-O3"] }
        }]
      ]
    }
  ]
}
