// The sandbox's OOM killer (Linux's mm/oom_kill.c, as a memory cgroup
// invokes it): when a page fault cannot get memory because the sandbox is
// at its total memory (--total-memory), the process with the largest
// resident set (oom_badness without swap or page tables, which the Sentry
// does not charge) is killed with SIGKILL and the fault is retried. The
// victim's pages are freed at once (its exit is synchronous here), so the
// retry finds them. The Sentry itself is never a candidate: it is not a
// process of the sandbox.
//
// A process's oom_score_adj (/proc/PID/oom_score_adj) is added to its
// resident bytes in thousandths of the sandbox's memory, as Linux's
// oom_badness adds it in thousandths of the machine's; -1000 exempts it.
//
// Differs from Linux: threads sharing an address space across processes
// (vfork's child) are not candidates while their parent waits.

import type { Task } from './task.js';
import { TaskState } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { killBySignal } from './exit.js';

const SIGKILL = 9;

/** The live process with the largest badness (resident set and oom_score_adj), or null. */
function pickVictim(t: Task): ThreadGroup | null {
  let best: ThreadGroup | null = null;
  let bestRss = -1;
  const seen = new Set<ThreadGroup>();
  for (const task of t.kernel.pidns.tasks.values()) {
    const tg = task.tg;
    if (seen.has(tg) || tg.exitStatus !== null) continue;
    seen.add(tg);
    if (tg !== t.tg && task.mm === t.mm) continue; // vfork's child: the memory is the parent's
    if (tg.oomScoreAdj === -1000) continue;
    const rss = Math.max(1, task.mm.residentBytes + (tg.oomScoreAdj * t.kernel.mf.limit) / 1000);
    if (rss > bestRss) {
      best = tg;
      bestRss = rss;
    }
  }
  return best;
}

/**
 * Called when t's page fault found no memory. Kills a victim; returns
 * true if t may retry the fault, false if t's own process was the one
 * killed.
 */
export function outOfMemory(t: Task): boolean {
  const victim = pickVictim(t) ?? t.tg;
  const live = victim.tasks.find((x) => x.state !== TaskState.Dead) ?? victim.leader;
  t.kernel.log.info(`oom: killing process ${victim.tgid} (resident ${live.mm.residentBytes} bytes) for task ${t.tid}`);
  killBySignal(live, SIGKILL);
  t.kernel.oomKills++;
  // The victim may have been init, with whom every process goes.
  return t.tg.exitStatus === null;
}
