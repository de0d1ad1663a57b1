// The x86-64 signal frame (Linux arch/x86/kernel/signal_64.c; gVisor
// pkg/sentry/arch/signal_amd64.go): what a handler finds on its stack and
// what rt_sigreturn(2) reads back.
//
//   fpstate   XSAVE image + FP_XSTATE_MAGIC2, 64-byte aligned, above:
//   rt_sigframe {
//     u64 pretcode          sa_restorer: the handler returns into it
//     struct ucontext uc    flags, link, stack, sigcontext, sigmask (304 bytes)
//     siginfo_t info        (128 bytes)
//   }
//
// The handler starts with rdi = signal, rsi = &info, rdx = &uc, and rsp
// pointing at pretcode (so rsp + 8 is 16-byte aligned, as after a call).

import type { Task } from './task.js';
import type { SigAction } from './thread_group.js';
import { Reg } from '../platform/registers.js';
import { SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SA_RESTORER, SA_SIGINFO, sigbit, setSigmask } from './signals.js';

const FRAME_SIZE = 8 + 304 + 128;
const UC_OFF = 8, INFO_OFF = 312;
const MC_OFF = 40; // sigcontext inside ucontext
const UC_FP_XSTATE = 1, UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;
/** __USER_CS and __USER_DS: the 64-bit code and stack selectors. */
const USER_CS = 0x33, USER_DS = 0x2b;
const FP_XSTATE_MAGIC1 = 0x46505853, FP_XSTATE_MAGIC2 = 0x46505845;
const SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1 << 31;
const REDZONE = 128;

/** sigcontext register order (asm/sigcontext.h, struct sigcontext_64). */
const MC_REGS: Reg[] = [Reg.R8, Reg.R9, Reg.R10, Reg.R11, Reg.R12, Reg.R13, Reg.R14, Reg.R15, Reg.RDI, Reg.RSI,
  Reg.RBP, Reg.RBX, Reg.RDX, Reg.RAX, Reg.RCX, Reg.RSP, Reg.RIP, Reg.EFLAGS];

/** EFLAGS bits a frame may change (arch/x86/kernel/signal.c FIX_EFLAGS). */
const FIX_EFLAGS = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;

function put64(dv: DataView, o: number, v: number): void {
  dv.setUint32(o, v % 4294967296, true);
  dv.setUint32(o + 4, Math.floor(v / 4294967296), true);
}
function get64(dv: DataView, o: number): number {
  return dv.getUint32(o, true) + dv.getUint32(o + 4, true) * 4294967296;
}

/** Whether sp lies on t's alternate signal stack. */
export function onAltStack(t: Task, sp: number): boolean {
  const a = t.altStack;
  return (a.flags & SS_DISABLE) === 0 && a.size > 0 && sp > a.sp && sp - a.sp <= a.size;
}

function altStackFlags(t: Task, sp: number): number {
  if ((t.altStack.flags & SS_DISABLE) !== 0 || t.altStack.size === 0) return SS_DISABLE;
  return onAltStack(t, sp) ? SS_ONSTACK : 0;
}

/** Resets the FP state to its initial value for the handler: FCW 0x37f, MXCSR 0x1f80, nothing else live. */
function initFPState(image: Uint8Array): Uint8Array {
  const s = image.slice();
  const dv = new DataView(s.buffer);
  s.fill(0, 0, 464);
  dv.setUint16(0, 0x37f, true);
  dv.setUint32(24, 0x1f80, true);
  dv.setUint32(28, 0xffff, true); // MXCSR_MASK as the CPU reports it; harmless for XRSTOR
  if (s.length >= 520) {
    dv.setUint32(512, 0, true); // XSTATE_BV: every component in its initial state
    dv.setUint32(516, 0, true);
  }
  return s;
}

/** Writes a frame for sig and points the task at its handler. False if the frame cannot be written. */
export function setupSignalFrame(t: Task, sig: number, info: Uint8Array, act: SigAction): boolean {
  const ctx = t.ctx;
  const regs = ctx.regs;
  if ((act.flags & SA_RESTORER) === 0n) return false; // x86-64 handlers must return through sa_restorer
  const fp = ctx.getFPState();
  if (typeof fp === 'number') return false;
  const oldSp = regs.get(Reg.RSP);
  let sp = oldSp - REDZONE;
  const wasOnAltStack = onAltStack(t, oldSp);
  const toAltStack = (act.flags & SA_ONSTACK) !== 0n && altStackFlags(t, oldSp) === 0;
  if (toAltStack) sp = t.altStack.sp + t.altStack.size;
  // FP state, 64-byte aligned, with MAGIC2 after it.
  sp -= fp.length + 4;
  sp -= sp % 64;
  const fpAddr = sp;
  sp -= FRAME_SIZE;
  sp = sp - (sp % 16) - 8;
  const frameAddr = sp;
  // A frame that does not fit on the alternate stack is a fatal SIGSEGV, as in Linux.
  if ((toAltStack || wasOnAltStack) && !onAltStack(t, frameAddr + 1)) return false;

  const fpImage = new Uint8Array(fp.length + 4);
  fpImage.set(fp);
  const fdv = new DataView(fpImage.buffer);
  // The software-reserved bytes describe the image (GETREGSET fills them; make sure).
  fdv.setUint32(464, FP_XSTATE_MAGIC1, true);
  fdv.setUint32(468, fp.length + 4, true);
  fdv.setUint32(480, fp.length, true);
  fdv.setUint32(fp.length, FP_XSTATE_MAGIC2, true);

  const frame = new Uint8Array(FRAME_SIZE);
  const dv = new DataView(frame.buffer);
  put64(dv, 0, Number(act.restorer));
  // ucontext
  put64(dv, UC_OFF + 0, UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
  put64(dv, UC_OFF + 8, 0);
  put64(dv, UC_OFF + 16, t.altStack.sp);
  dv.setInt32(UC_OFF + 24, altStackFlags(t, oldSp) | (t.altStack.flags & SS_AUTODISARM), true);
  put64(dv, UC_OFF + 32, t.altStack.size);
  const mc = UC_OFF + MC_OFF;
  MC_REGS.forEach((r, i) => dv.setBigUint64(mc + i * 8, regs.getBig(r), true));
  dv.setUint16(mc + 144, regs.get(Reg.CS), true);
  dv.setUint16(mc + 146, 0, true); // gs
  dv.setUint16(mc + 148, 0, true); // fs
  dv.setUint16(mc + 150, regs.get(Reg.SS), true);
  put64(dv, mc + 152, 0); // err
  put64(dv, mc + 160, sig === 11 || sig === 7 ? 14 : 0); // trapno: page fault for SIGSEGV/SIGBUS
  put64(dv, mc + 168, Number(t.sigmask & 0xffffffffn)); // oldmask
  const idv = new DataView(info.buffer, info.byteOffset, 128);
  put64(dv, mc + 176, sig === 11 || sig === 7 ? get64(idv, 16) : 0); // cr2
  put64(dv, mc + 184, fpAddr);
  // uc_sigmask: the mask to restore (sigsuspend's caller's mask if it is waiting).
  dv.setBigUint64(UC_OFF + 296, t.savedSigmask ?? t.sigmask, true);
  frame.set(info, INFO_OFF);

  const mm = t.mm;
  if (mm.copyOutPartial(fpAddr, fpImage) !== fpImage.length) return false;
  if (mm.copyOutPartial(frameAddr, frame) !== frame.length) return false;
  if (ctx.setFPState(initFPState(fp)) < 0) return false;

  regs.set(Reg.RDI, sig);
  regs.set(Reg.RSI, frameAddr + INFO_OFF);
  regs.set(Reg.RDX, frameAddr + UC_OFF);
  regs.set(Reg.RAX, 0);
  regs.setBig(Reg.RIP, act.handler);
  regs.set(Reg.RSP, frameAddr);
  regs.set(Reg.EFLAGS, regs.get(Reg.EFLAGS) & ~(0x400 | 0x10000 | 0x100)); // DF RF TF
  regs.set(Reg.ORIG_RAX, -1);
  // The handler runs in 64-bit mode whatever mode the thread was in (a far
  // return to cs 0x23 is the program's to make), as Linux's frame setup sets.
  regs.set(Reg.CS, USER_CS);
  regs.set(Reg.SS, USER_DS);
  ctx.regsDirty = true;

  if (t.altStack.flags & SS_AUTODISARM && (act.flags & SA_ONSTACK) !== 0n) t.altStack = { sp: 0, flags: SS_DISABLE, size: 0 };
  t.savedSigmask = null;
  let mask = t.sigmask | act.mask;
  if ((act.flags & SA_NODEFER) === 0n) mask |= sigbit(sig);
  setSigmask(t, mask);
  if ((act.flags & SA_RESETHAND) !== 0n) {
    act.handler = 0n;
    act.flags &= ~SA_SIGINFO;
  }
  return true;
}

/** rt_sigreturn(2): restores what setupSignalFrame saved. False if the frame is unreadable. */
export function restoreSignalFrame(t: Task): boolean {
  const ctx = t.ctx;
  const regs = ctx.regs;
  const frameAddr = regs.get(Reg.RSP) - 8;
  const uc = t.mm.copyIn(frameAddr + UC_OFF, 304);
  if (uc === null) return false;
  const dv = new DataView(uc.buffer);
  const mc = MC_OFF;
  const oldFlags = regs.get(Reg.EFLAGS);
  MC_REGS.forEach((r, i) => regs.setBig(r, dv.getBigUint64(mc + i * 8, true)));
  const newFlags = regs.get(Reg.EFLAGS);
  regs.set(Reg.EFLAGS, (oldFlags & ~FIX_EFLAGS) | (newFlags & FIX_EFLAGS));
  regs.set(Reg.ORIG_RAX, -1);
  // The segments come back from the frame with user privilege, as Linux's
  // restore_sigcontext takes them (a bad one faults on the way out, and the
  // host turns that into SIGSEGV). Without UC_STRICT_RESTORE_SS a 64-bit
  // context gets the usual stack segment.
  const cs = dv.getUint16(mc + 144, true) | 3;
  let ss = dv.getUint16(mc + 150, true) | 3;
  if ((get64(dv, 0) & UC_STRICT_RESTORE_SS) === 0 && cs === USER_CS) ss = USER_DS;
  regs.set(Reg.CS, cs);
  regs.set(Reg.SS, ss);
  const fpAddr = get64(dv, mc + 184);
  if (fpAddr !== 0) {
    const cur = ctx.getFPState();
    if (typeof cur === 'number') return false;
    const img = t.mm.copyIn(fpAddr, cur.length);
    if (img === null) return false;
    const idv = new DataView(img.buffer);
    if (idv.getUint32(464, true) === FP_XSTATE_MAGIC1) {
      // Keep the header's reserved bytes sane: XSTATE_BV may only name components this CPU saves.
      const bvLo = idv.getUint32(512, true), bvHi = idv.getUint32(516, true);
      const cdv = new DataView(cur.buffer);
      const okLo = cdv.getUint32(472, true) || 0xffffffff, okHi = cdv.getUint32(476, true);
      idv.setUint32(512, bvLo & okLo, true);
      idv.setUint32(516, bvHi & okHi, true);
    }
    // MXCSR reserved bits would make XRSTOR fault in the host kernel; it rejects them with EINVAL.
    if (ctx.setFPState(img) < 0) return false;
  } else {
    const cur = ctx.getFPState();
    if (typeof cur !== 'number') ctx.setFPState(initFPState(cur));
  }
  setSigmask(t, dv.getBigUint64(296, true));
  // uc_stack: as sigaltstack(2) would set it; a bad one is ignored, as Linux does.
  const ssSp = get64(dv, 16), ssFlags = dv.getInt32(24, true), ssSize = get64(dv, 32);
  if (!onAltStack(t, regs.get(Reg.RSP))) {
    const mode = ssFlags & ~SS_AUTODISARM;
    if (mode === SS_DISABLE) t.altStack = { sp: 0, flags: SS_DISABLE, size: 0 };
    else if ((mode === 0 || mode === SS_ONSTACK) && ssSize >= 2048) t.altStack = { sp: ssSp, flags: ssFlags & SS_AUTODISARM, size: ssSize };
  }
  ctx.regsDirty = true;
  return true;
}
