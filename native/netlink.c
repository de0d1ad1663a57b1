/*
 * The sandbox's network configuration as rtnetlink reports it (for
 * src/net/netlink, as gVisor's hostinet Stack reads its interfaces when it
 * is configured): one dump request on a host NETLINK_ROUTE socket in the
 * Sentry's network namespace, before the Sentry seals itself (the sealed
 * filter has no netlink socket), and the replies as the host gave them.
 * Mechanism only: which dumps are asked for and what is kept of them is
 * decided in TypeScript.
 *
 *   netlinkDump(type, family) -> Uint8Array (every reply message, up to and
 *     with NLMSG_DONE or the NLMSG_ERROR that ended it) or -errno
 */
#include "addon.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A dump larger than this is refused (a host with that many routes or neighbours is not a sandbox's). */
#define MAX_DUMP (16 << 20)

/* Whether buf holds NLMSG_DONE or an error, which end a dump. */
static int dump_ended(const char *buf, size_t len) {
  for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
    if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return 1;
  }
  return 0;
}

static napi_value NetlinkDump(napi_env env, napi_callback_info info) {
  ARGS(2);
  int64_t type = arg_i64(env, argv[0]), family = arg_i64(env, argv[1]);
  if (type != RTM_GETLINK && type != RTM_GETADDR && type != RTM_GETROUTE && type != RTM_GETNEIGH) return i32(env, -EINVAL);
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return i32(env, -errno);
  struct {
    struct nlmsghdr h;
    struct rtgenmsg g;
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.g);
  req.h.nlmsg_type = (uint16_t)type;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = 1;
  req.g.rtgen_family = (unsigned char)family;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
    int e = errno;
    close(fd);
    return i32(env, -e);
  }
  size_t cap = 64 << 10, len = 0;
  char *buf = malloc(cap);
  int err = 0;
  for (;;) {
    if (buf == NULL) {
      err = ENOMEM;
      break;
    }
    if (cap - len < 32 << 10) {
      if (cap >= MAX_DUMP) {
        err = E2BIG;
        break;
      }
      char *more = realloc(buf, cap * 2);
      if (more == NULL) {
        err = ENOMEM;
        break;
      }
      buf = more;
      cap *= 2;
    }
    ssize_t n = recv(fd, buf + len, cap - len, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    int ended = dump_ended(buf + len, (size_t)n);
    len += (size_t)n;
    if (ended) break;
  }
  close(fd);
  if (err != 0) {
    free(buf);
    return i32(env, -err);
  }
  napi_value out;
  void *data;
  napi_value ab;
  CHECK(napi_create_arraybuffer(env, len, &data, &ab));
  memcpy(data, buf, len);
  free(buf);
  CHECK(napi_create_typedarray(env, napi_uint8_array, len, ab, 0, &out));
  return out;
}

void register_netlink(napi_env env, napi_value exports) {
  EXPORT("netlinkDump", NetlinkDump);
}
