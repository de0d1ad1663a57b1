// SysV message queues (Linux ipc/msg.c, gVisor
// pkg/sentry/kernel/msgqueue): a Queue holds messages (a type and bytes)
// in the order sent, bounded by its msg_qbytes in bytes and in count (as
// Linux's msg_fits_inqueue); msgrcv picks the first message of a type, of
// any type but one (MSG_EXCEPT), the lowest type up to a bound (a negative
// msgtyp), or by position (MSG_COPY, which leaves it queued). Senders and
// receivers that must wait park on the queue's wait queue and try again on
// every change.
//
// A message's bytes (and a header's worth, MESSAGE_COST) are charged to
// the Sentry's buffer budget (kernel/buffers.ts), as socket messages are:
// a sender past it waits (or gets EAGAIN) until some comes back, so queues
// cannot fill the Sentry's heap whatever msgmni and msgmnb say.
//
// Differs from Linux: waiters retry in the order they are served rather
// than Linux's FIFO order with direct hand-off to a waiting receiver
// (pipelined_send), so which of two receivers gets a message may differ.

import type { Kernel } from '../kernel.js';
import type { Credentials } from '../credentials.js';
import type { Pid } from '../pid_namespace.js';
import type { UserNamespace } from '../user_namespace.js';
import { WaitQueue } from '../../sync/waiter.js';
import { chargeBuffers, unchargeBuffers } from '../buffers.js';
import { MESSAGE_COST } from '../unix_socket.js';
import { ipcGet, ipcNow, IPCPerm, Registry } from './object.js';

export const MSG_NOERROR = 0o10000, MSG_EXCEPT = 0o20000, MSG_COPY = 0o40000;
export const MSG_STAT = 11, MSG_INFO = 12, MSG_STAT_ANY = 13;
/** Linux's defaults: msgmax, msgmnb, msgmni. */
export const MSGMAX_DEFAULT = 8192, MSGMNB_DEFAULT = 16384, MSGMNI_DEFAULT = 32000;
/** sizeof(struct msqid64_ds) on x86-64. */
export const MSQID_DS_SIZE = 120;

export interface Message {
  /** mtype, a long: exact as a bigint. */
  type: bigint;
  data: Uint8Array;
}

/** How msgrcv picks (convert_mode). */
export const enum Search { Any, Equal, NotEqual, LessEqual, Number }

export class Queue {
  readonly perm: IPCPerm;
  readonly messages: Message[] = [];
  bytes = 0;
  qbytes: number;
  stime = 0;
  rtime = 0;
  ctime: number;
  lspid: Pid | null = null;
  lrpid: Pid | null = null;
  /** Senders and receivers waiting for a change. */
  readonly queue = new WaitQueue();

  constructor(readonly kernel: Kernel, readonly registry: MsgRegistry, key: number, creds: Credentials, mode: number) {
    this.perm = new IPCPerm(key, creds, mode);
    this.qbytes = registry.msgmnb;
    this.ctime = ipcNow(kernel);
  }

  /** msg_fits_inqueue. */
  fits(size: number): boolean {
    return this.bytes + size <= this.qbytes && this.messages.length + 1 <= this.qbytes;
  }

  /**
   * Queues a message if the sandbox's buffer budget takes it; false if not
   * (the caller waits, woken through this queue when budget comes back).
   */
  send(m: Message, pid: Pid): boolean {
    if (!chargeBuffers(m.data.length + MESSAGE_COST, this.queue)) return false;
    this.messages.push(m);
    this.bytes += m.data.length;
    this.registry.totalBytes += m.data.length;
    this.registry.totalMessages++;
    this.lspid = pid;
    this.stime = ipcNow(this.kernel);
    this.queue.notify(0x1);
    return true;
  }

  /** find_msg: the index of the message mode and typ pick, or -1. */
  find(mode: Search, typ: bigint): number {
    let best = -1;
    for (let i = 0; i < this.messages.length; i++) {
      const t = this.messages[i].type;
      switch (mode) {
        case Search.Any: return i;
        case Search.Equal: if (t === typ) return i; break;
        case Search.NotEqual: if (t !== typ) return i; break;
        case Search.Number: if (BigInt(i) === typ) return i; break;
        case Search.LessEqual:
          if (t <= typ && (best < 0 || t < this.messages[best].type)) {
            best = i;
            if (t === 1n) return i;
          }
          break;
      }
    }
    return best;
  }

  /** Takes message i off the queue (a receive). */
  take(i: number, pid: Pid): Message {
    const [m] = this.messages.splice(i, 1);
    this.bytes -= m.data.length;
    this.registry.totalBytes -= m.data.length;
    this.registry.totalMessages--;
    unchargeBuffers(m.data.length + MESSAGE_COST);
    this.lrpid = pid;
    this.rtime = ipcNow(this.kernel);
    this.queue.notify(0x1);
    return m;
  }

  /** IPC_RMID (freeque): the messages go, waiters wake to EIDRM. */
  remove(): void {
    this.registry.objects.remove(this);
    for (const m of this.messages) unchargeBuffers(m.data.length + MESSAGE_COST);
    this.registry.totalBytes -= this.bytes;
    this.registry.totalMessages -= this.messages.length;
    this.messages.length = 0;
    this.bytes = 0;
    this.queue.notify(0x1);
  }
}

/** The queues of one IPC namespace, with its limits (msg_ctlmax, msg_ctlmnb, msg_ctlmni). */
export class MsgRegistry {
  readonly objects = new Registry<Queue>();
  msgmax = MSGMAX_DEFAULT;
  msgmnb = MSGMNB_DEFAULT;
  msgmni = MSGMNI_DEFAULT;
  /** Bytes and messages in all queues (MSG_INFO's msgtql and msgmap). */
  totalBytes = 0;
  totalMessages = 0;

  /** msgget. */
  get(k: Kernel, creds: Credentials, userns: UserNamespace, key: number, flag: number): number {
    return ipcGet(this.objects, key, flag, creds, userns, () => this.objects.add(new Queue(k, this, key, creds, flag), this.msgmni));
  }
}
