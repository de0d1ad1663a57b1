// The AF_NETLINK provider (gVisor's netlink socket provider): NETLINK_ROUTE
// sockets of type SOCK_RAW or SOCK_DGRAM (the same to netlink), served by
// the Sentry from the sandbox's RouteConfig (route_config.ts), read once
// at boot. Every other netlink protocol (NETLINK_SOCK_DIAG, which `ss`
// then falls back from to /proc/net; NETLINK_KOBJECT_UEVENT; audit,
// generic, netfilter...) is EPROTONOSUPPORT, as on a kernel built without
// it, and netlink sockets come in no pairs (EOPNOTSUPP).

import type { Task } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { EPROTONOSUPPORT, ESOCKTNOSUPPORT } from '../../abi/linux/errno.js';
import { AF_NETLINK, SOCK_DGRAM, SOCK_RAW, registerProvider, unregisterProviders } from '../socket.js';
import type { Provider } from '../socket.js';
import { RouteConfig, readRouteConfig } from './route_config.js';
import { NETLINK_ROUTE, NetlinkRouteSocket } from './route_socket.js';

/** MAX_LINKS: the protocols Linux numbers. */
const MAX_LINKS = 32;

class NetlinkProvider implements Provider {
  constructor(private readonly config: RouteConfig) {}

  socket(t: Task, type: number, protocol: number, flags: number): FileDescription | number {
    if (type !== SOCK_RAW && type !== SOCK_DGRAM) return -ESOCKTNOSUPPORT;
    if (protocol < 0 || protocol >= MAX_LINKS || protocol !== NETLINK_ROUTE) return -EPROTONOSUPPORT;
    return new NetlinkRouteSocket(this.config, type, flags);
  }

  pair(): null {
    return null;
  }
}

/**
 * Serves NETLINK_ROUTE from the configuration of the network namespace the
 * Sentry is in now (boot, before the seal: reading it needs a host netlink
 * socket, which the sealed filter does not allow).
 */
export function registerNetlink(warn: (msg: string) => void): void {
  current = readRouteConfig(warn);
  registerProvider(AF_NETLINK, new NetlinkProvider(current));
}

/** No netlink at all: the sandbox has no network namespace of its own to show (EAFNOSUPPORT). */
export function unregisterNetlink(): void {
  unregisterProviders(AF_NETLINK);
  current = RouteConfig.empty();
}

let current = RouteConfig.empty();

/** The sandbox's network configuration (empty without a namespace of its own): what the interface ioctls answer from too. */
export function routeConfig(): RouteConfig {
  return current;
}

export { RouteConfig };
