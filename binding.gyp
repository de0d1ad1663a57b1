{
  "targets": [
    {
      "target_name": "tsvisor_native",
      "sources": [
        "native/addon.c",
        "native/memory.c",
        "native/ptrace.c",
        "native/hostfiles.c",
        "native/terminal.c",
        "native/clock.c",
        "native/confine.c",
        "native/watch.c",
        "native/control.c",
        "native/sockets.c",
        "native/netlink.c"
      ],
      "cflags": [
        "-O2",
        "-Wall",
        "-Wno-unused-parameter"
      ],
      "defines": [
        "_GNU_SOURCE",
        "NAPI_VERSION=8"
      ]
    },
    {
      "target_name": "tsvisor-launch",
      "type": "executable",
      "sources": [
        "native/launcher.c"
      ],
      "cflags": [
        "-O2",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter"
      ],
      "defines": [
        "_GNU_SOURCE"
      ]
    },
    {
      "target_name": "tsvisor-entry",
      "type": "executable",
      "sources": [
        "native/entry.c"
      ],
      "cflags": [
        "-O2",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter"
      ],
      "defines": [
        "_GNU_SOURCE"
      ]
    },
    {
      "target_name": "tsvisor-stub",
      "type": "executable",
      "sources": [
        "native/stub.S"
      ],
      "ldflags": [
        "-nostdlib",
        "-static",
        "-no-pie",
        "-Wl,--build-id=none",
        "-Wl,-z,noexecstack",
        "-Wl,-Ttext-segment=0x7fffff000000",
        "-Wl,-z,max-page-size=4096"
      ],
      "cflags": [
        "-fno-pie"
      ],
      "libraries!": []
    },
    {
      "target_name": "tsvisor-vdso",
      "type": "none",
      "actions": [
        {
          "action_name": "link_vdso",
          "inputs": [
            "native/vdso/vdso.c",
            "native/vdso/vdso_params.h",
            "native/vdso/vdso.lds"
          ],
          "outputs": [
            "<(PRODUCT_DIR)/vdso.so"
          ],
          "action": [
            "cc",
            "-O2",
            "-fPIC",
            "-shared",
            "-nostdlib",
            "-ffreestanding",
            "-fno-stack-protector",
            "-fno-builtin",
            "-fcf-protection=none",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wl,-soname=linux-vdso.so.1",
            "-Wl,--hash-style=both",
            "-Wl,--build-id=none",
            "-Wl,-Bsymbolic",
            "-Wl,--no-undefined",
            "-Wl,-z,max-page-size=4096",
            "-Wl,--eh-frame-hdr",
            "-Wl,-T,native/vdso/vdso.lds",
            "-o",
            "<@(_outputs)",
            "native/vdso/vdso.c"
          ]
        }
      ]
    }
  ]
}
