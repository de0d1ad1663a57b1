// The character devices the Sentry serves, by device number (Linux's
// chrdev table): a device node in any file system (tmpfs, the overlay, a
// host directory) opens the Sentry's own device of that number, never a
// host device. mknod(2) of a number no one registered is EPERM, as the
// brief for untrusted containers asks (runsc refuses them too).

import type { FileDescription } from './file_description.js';
import { makeDev } from './stat.js';

export type DeviceOpener = (flags: number) => FileDescription | number;

const devices = new Map<number, DeviceOpener>();

export function registerCharDevice(major: number, minor: number, open: DeviceOpener): void {
  devices.set(makeDev(major, minor), open);
}

/** The opener of the character device rdev, or undefined. */
export function charDevice(rdev: number): DeviceOpener | undefined {
  return devices.get(rdev);
}
