{
  "targets": [
    {
      "target_name": "tsvisor_native",
      "sources": ["native/addon.c"],
      "cflags": ["-O2", "-Wall", "-Wno-unused-parameter"],
      "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"]
    },
    {
      "target_name": "tsvisor-stub",
      "type": "executable",
      "sources": ["native/stub.S"],
      "ldflags": ["-nostdlib", "-static", "-no-pie", "-Wl,--build-id=none", "-Wl,-z,noexecstack", "-Wl,-Ttext-segment=0x7fffff000000", "-Wl,-z,max-page-size=4096"],
      "cflags": ["-fno-pie"],
      "libraries!": []
    }
  ]
}
