// Which socket families the sandbox has (boot's choice, made once the
// launch is known): AF_UNIX always; AF_INET and AF_INET6 served by host
// sockets (hostinet) only when the Sentry is in the network namespace the
// sandbox was given (its own new one for --network=none, the host's or the
// OCI spec's otherwise). A launch that could make no namespaces has none
// of its own, so its programs get EAFNOSUPPORT rather than the host's
// network. AF_NETLINK's NETLINK_ROUTE goes with them: it shows that same
// namespace's links, addresses and routes (netlink/), read now, before the
// seal. With --net-raw (raw), hostinet serves raw inet and AF_PACKET
// sockets too. A second stack (netstack) would be chosen here.

import { AF_UNIX, registerProvider } from './socket.js';
import { unixProvider } from './unix.js';
import { registerHostinet, unregisterHostinet } from './hostinet/provider.js';
import { registerNetlink, unregisterNetlink } from './netlink/provider.js';

/** warn: what could not be read of the namespace's configuration (the debug log). */
export function registerSocketProviders(hostinet: boolean, warn: (msg: string) => void = () => {}, raw = false): void {
  registerProvider(AF_UNIX, unixProvider);
  if (hostinet) {
    registerHostinet(raw);
    registerNetlink(warn);
  } else {
    unregisterHostinet();
    unregisterNetlink();
  }
}
