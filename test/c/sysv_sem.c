/*
 * SysV semaphores: semget, semop, semtimedop, semctl and their errors;
 * atomic operation arrays, IPC_NOWAIT, blocking woken by a change, a
 * timeout, a signal (EINTR) and IPC_RMID (EIDRM); wait-for-zero; SEM_UNDO
 * at exit (clamped, cleared by SETVAL, shared by threads, not by fork);
 * GETNCNT/GETZCNT; permissions of another user; the limits of
 * /proc/sys/kernel/sem; /proc/sysvipc/sem. Run natively in a fresh IPC
 * namespace as root, and under tsvisor. Prints relations, never ids.
 */
#include "sysv.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/time.h>
#include <time.h>

#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static int val(int id, int n)
{
	return semctl(id, n, GETVAL);
}

static void setval(int id, int n, int v)
{
	union semun u;
	u.val = v;
	semctl(id, n, SETVAL, u);
}

static int op(int id, int num, int o, int flg)
{
	struct sembuf s = { (unsigned short)num, (short)o, (short)flg };
	return semop(id, &s, 1);
}

/* Waits (up to 5 s) until cmd (GETNCNT/GETZCNT) of sem n reaches want. */
static int wait_count(int id, int n, int cmd, int want)
{
	for (int i = 0; i < 5000; i++) {
		if (semctl(id, n, cmd) == want)
			return 1;
		usleep(1000);
	}
	return 0;
}

static void *thread_undo(void *arg)
{
	int id = *(int *)arg;
	op(id, 0, 2, SEM_UNDO);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const key_t key = 0x5e3a0001;
	union semun u;

	/* ---- semget ---- */
	show("semget nsems -1", semget(IPC_PRIVATE, -1, 0600));
	show("semget nsems 32001", semget(IPC_PRIVATE, 32001, 0600));
	show("semget nsems 0 new", semget(IPC_PRIVATE, 0, 0600));
	show("semget missing key", semget(key, 1, 0600));
	int id = semget(key, 3, IPC_CREAT | 0600);
	printf("semget create: %d\n", id >= 0);
	show("semget IPC_EXCL", semget(key, 3, IPC_CREAT | IPC_EXCL | 0600));
	printf("semget existing nsems 0: same %d\n", semget(key, 0, 0) == id);
	printf("semget existing nsems 2: same %d\n", semget(key, 2, 0) == id);
	show("semget existing nsems 4", semget(key, 4, 0));

	/* ---- semctl on values ---- */
	struct semid_ds ds;
	u.buf = &ds;
	show("IPC_STAT", semctl(id, 0, IPC_STAT, u));
	printf("stat: nsems %lu mode %o otime %d ctime set %d key %d\n", (unsigned long)ds.sem_nsems, ds.sem_perm.mode,
	       ds.sem_otime != 0, ds.sem_ctime != 0, ds.sem_perm.__key == key);
	show("GETVAL fresh", val(id, 0));
	show("GETPID fresh", semctl(id, 0, GETPID));
	u.val = 5;
	show("SETVAL 5", semctl(id, 0, SETVAL, u));
	show("GETVAL", val(id, 0));
	printf("GETPID is me: %d\n", semctl(id, 0, GETPID) == getpid());
	u.val = 32768;
	show("SETVAL 32768", semctl(id, 0, SETVAL, u));
	u.val = -1;
	show("SETVAL -1", semctl(id, 0, SETVAL, u));
	u.val = 1;
	show("SETVAL num 3", semctl(id, 3, SETVAL, u));
	show("GETVAL num 3", semctl(id, 3, GETVAL));
	show("GETVAL num -1", semctl(id, -1, GETVAL));
	unsigned short all[3] = { 1, 2, 3 }, got[3] = { 0 };
	u.array = all;
	show("SETALL", semctl(id, 0, SETALL, u));
	u.array = got;
	show("GETALL", semctl(id, 0, GETALL, u));
	printf("GETALL: %u %u %u\n", got[0], got[1], got[2]);
	unsigned short bad[3] = { 1, 40000, 3 };
	u.array = bad;
	show("SETALL 40000", semctl(id, 0, SETALL, u));
	printf("after refused SETALL: %d %d %d\n", val(id, 0), val(id, 1), val(id, 2));
	u.array = (unsigned short *)1;
	show("GETALL EFAULT", semctl(id, 0, GETALL, u));
	show("SETALL EFAULT", semctl(id, 0, SETALL, u));
	show("GETNCNT", semctl(id, 0, GETNCNT));
	show("GETZCNT", semctl(id, 0, GETZCNT));
	show("bad cmd", semctl(id, 0, 99));
	show("bad id", semctl(id + 7 * 32768, 0, GETVAL));
	show("negative id", semctl(-1, 0, GETVAL));
	u.buf = (struct semid_ds *)1;
	show("IPC_STAT EFAULT", semctl(id, 0, IPC_STAT, u));
	show("IPC_SET EFAULT", semctl(id, 0, IPC_SET, u));

	/* ---- semop ---- */
	struct sembuf ops[600];
	memset(ops, 0, sizeof ops);
	show("semop nsops 0", semop(id, ops, 0));
	show("semop nsops 501", semop(id, ops, 501));
	show("semop EFAULT", semop(id, (struct sembuf *)1, 1));
	show("semop sem_num 3", op(id, 3, 1, 0));
	show("semop bad id", op(id + 7 * 32768, 0, 1, 0));
	show("semop negative id", op(-1, 0, 1, 0));
	show("semop -10 IPC_NOWAIT", op(id, 0, -10, IPC_NOWAIT));
	struct sembuf two[2] = { { 0, -1, 0 }, { 1, -5, IPC_NOWAIT } };
	show("semop two, second cannot", semop(id, two, 2));
	printf("nothing done: %d %d\n", val(id, 0), val(id, 1));
	struct sembuf same[3] = { { 0, 1, 0 }, { 0, 1, 0 }, { 0, -3, IPC_NOWAIT } };
	show("semop three on one", semop(id, same, 3));
	printf("sem 0 now: %d\n", val(id, 0));
	struct sembuf same2[2] = { { 0, 5, 0 }, { 0, -6, IPC_NOWAIT } };
	show("semop adds then cannot", semop(id, same2, 2));
	printf("sem 0 still: %d\n", val(id, 0));
	show("semop past SEMVMX", op(id, 0, 32767, 0));
	show("semop wait-for-zero IPC_NOWAIT", op(id, 0, 0, IPC_NOWAIT));
	setval(id, 2, 0);
	show("semop wait-for-zero on zero", op(id, 2, 0, 0));
	u.buf = &ds;
	semctl(id, 0, IPC_STAT, u);
	printf("otime set after semop: %d\n", ds.sem_otime != 0);
	show("semop read-only op is allowed", op(id, 2, 0, IPC_NOWAIT));

	/* ---- semtimedop ---- */
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct sembuf dec = { 1, -10, 0 };
	show("semtimedop timeout", semtimedop(id, &dec, 1, &ts));
	struct timespec zero = { 0, 0 };
	show("semtimedop zero timeout", semtimedop(id, &dec, 1, &zero));
	struct timespec badts = { 0, 1000000000 };
	show("semtimedop bad timespec", semtimedop(id, &dec, 1, &badts));
	show("semtimedop EFAULT timeout", semtimedop(id, &dec, 1, (struct timespec *)1));
	dec.sem_op = -1;
	show("semtimedop that can go", semtimedop(id, &dec, 1, &ts));

	/* ---- blocking ---- */
	setval(id, 0, 0);
	pid_t p = fork();
	if (p == 0) {
		int r = op(id, 0, -2, 0);
		printf("child: blocked decrement returned %d, sem 0 %d\n", r, val(id, 0));
		_exit(0);
	}
	printf("GETNCNT while it waits: %d\n", wait_count(id, 0, GETNCNT, 1));
	op(id, 0, 1, 0);
	usleep(20000);
	printf("one is not enough: ncnt %d\n", semctl(id, 0, GETNCNT));
	op(id, 0, 1, 0);
	child_status(p);
	printf("after: ncnt %d\n", semctl(id, 0, GETNCNT));

	setval(id, 1, 1);
	p = fork();
	if (p == 0) {
		int r = op(id, 1, 0, 0);
		printf("child: wait-for-zero returned %d\n", r);
		_exit(0);
	}
	printf("GETZCNT while it waits: %d\n", wait_count(id, 1, GETZCNT, 1));
	setval(id, 1, 0);
	child_status(p);

	/* A signal ends the wait with EINTR, even with SA_RESTART. */
	p = fork();
	if (p == 0) {
		alarm_soon();
		show("child: semop interrupted", op(id, 0, -1, 0));
		printf("child: ncnt after %d\n", semctl(id, 0, GETNCNT));
		alarm_soon();
		show("child: semtimedop interrupted", semtimedop(id, &(struct sembuf){ 0, -1, 0 }, 1, &(struct timespec){ 5, 0 }));
		_exit(0);
	}
	child_status(p);

	/* ---- SEM_UNDO ---- */
	setval(id, 0, 0);
	p = fork();
	if (p == 0) {
		op(id, 0, 3, SEM_UNDO);
		printf("child: with undo %d\n", val(id, 0));
		_exit(0);
	}
	child_status(p);
	printf("after its exit: %d\n", val(id, 0));
	p = fork();
	if (p == 0) {
		op(id, 0, 5, SEM_UNDO);
		op(id, 0, -5, 0);
		_exit(0);
	}
	child_status(p);
	printf("undo below zero clamps: %d\n", val(id, 0));
	p = fork();
	if (p == 0) {
		op(id, 0, 5, SEM_UNDO);
		u.val = 2;
		semctl(id, 0, SETVAL, u);
		_exit(0);
	}
	child_status(p);
	printf("SETVAL cleared the undo: %d\n", val(id, 0));
	setval(id, 0, 0);
	p = fork();
	if (p == 0) {
		pthread_t th;
		pthread_create(&th, NULL, thread_undo, &id);
		pthread_join(th, NULL);
		printf("child: after its thread ended %d\n", val(id, 0));
		_exit(0);
	}
	child_status(p);
	printf("after the process ended: %d\n", val(id, 0));
	p = fork();
	if (p == 0) {
		op(id, 0, 4, SEM_UNDO);
		pid_t q = fork();
		if (q == 0)
			_exit(0);
		child_status(q);
		printf("grandchild's exit undoes nothing: %d\n", val(id, 0));
		_exit(0);
	}
	child_status(p);
	printf("child's exit undoes its own: %d\n", val(id, 0));
	setval(id, 0, 32000);
	setval(id, 0, 0);
	op(id, 0, 32767, SEM_UNDO);
	op(id, 0, -32767, 0);
	show("undo adjustment at -32768", op(id, 0, 1, SEM_UNDO));
	op(id, 0, -1, 0);
	show("undo adjustment past -32768", op(id, 0, 1, SEM_UNDO));
	setval(id, 0, 0);

	/* ---- IPC_INFO, SEM_INFO, SEM_STAT ---- */
	struct seminfo si;
	u.__buf = &si;
	int maxidx = semctl(0, 0, IPC_INFO, u);
	printf("IPC_INFO: maxidx ok %d semmsl %d semmns %d semopm %d semmni %d semvmx %d semaem %d semume %d semusz %d\n",
	       maxidx >= 0, si.semmsl, si.semmns, si.semopm, si.semmni, si.semvmx, si.semaem, si.semume, si.semusz);
	int maxidx2 = semctl(0, 0, SEM_INFO, u);
	printf("SEM_INFO: same maxidx %d used ids %d used sems %d\n", maxidx2 == maxidx, si.semusz, si.semaem);
	u.buf = &ds;
	int found = 0;
	for (int i = 0; i <= maxidx; i++)
		if (semctl(i, 0, SEM_STAT, u) == id)
			found = ds.sem_nsems == 3;
	printf("SEM_STAT by index finds it: %d\n", found);
	printf("SEM_STAT_ANY: %d\n", semctl(id % 32768, 0, SEM_STAT_ANY, u) == id);
	show("IPC_INFO EFAULT", semctl(0, 0, IPC_INFO, (union semun){ .buf = (void *)1 }));
	char buf[4096];
	read_file("/proc/sysvipc/sem", buf, sizeof buf);
	int lines = count_lines(buf);
	printf("sysvipc/sem lines: %d, shows 0600 and 3: %d\n", lines, strstr(buf, "  600          3 ") != NULL);
	read_file("/proc/sys/kernel/sem", buf, sizeof buf);
	printf("kernel/sem: %s", buf);

	/* ---- another user ---- */
	semctl(id, 0, IPC_STAT, u);
	p = fork();
	if (p == 0) {
		become_nobody();
		show("other: semget", semget(key, 0, 0400) < 0 ? -1 : 0);
		show("other: semop", op(id, 0, 1, IPC_NOWAIT));
		show("other: GETVAL", semctl(id, 0, GETVAL));
		show("other: SETVAL", semctl(id, 0, SETVAL, (union semun){ .val = 1 }));
		show("other: IPC_RMID", semctl(id, 0, IPC_RMID));
		_exit(0);
	}
	child_status(p);
	ds.sem_perm.mode = 0606;
	u.buf = &ds;
	show("IPC_SET", semctl(id, 0, IPC_SET, u));
	semctl(id, 0, IPC_STAT, u);
	printf("after IPC_SET: mode %o\n", ds.sem_perm.mode);
	p = fork();
	if (p == 0) {
		become_nobody();
		show("other 0606: semop", op(id, 0, 1, IPC_NOWAIT));
		show("other 0606: GETVAL", semctl(id, 0, GETVAL));
		_exit(0);
	}
	child_status(p);

	/* ---- IPC_RMID wakes waiters with EIDRM ---- */
	setval(id, 0, 0);
	p = fork();
	if (p == 0) {
		show("child: semop on removed set", op(id, 0, -1, 0));
		_exit(0);
	}
	wait_count(id, 0, GETNCNT, 1);
	int rmr = semctl(id, 0, IPC_RMID);
	child_status(p);
	show("IPC_RMID", rmr);
	show("IPC_RMID again", semctl(id, 0, IPC_RMID));
	show("semget key after", semget(key, 0, 0));

	/* ---- limits ---- */
	char old[128];
	read_file("/proc/sys/kernel/sem", old, sizeof old);
	show("kernel/sem = 4 5 2 2", write_file("/proc/sys/kernel/sem", "4 5 2 2\n"));
	read_file("/proc/sys/kernel/sem", buf, sizeof buf);
	printf("kernel/sem: %s", buf);
	show("semget nsems 5 > semmsl", semget(IPC_PRIVATE, 5, 0600));
	int a = semget(IPC_PRIVATE, 4, 0600);
	printf("semget 4: %d\n", a >= 0);
	show("semget 2 more > semmns", semget(IPC_PRIVATE, 2, 0600));
	int b = semget(IPC_PRIVATE, 1, 0600);
	printf("semget 1: %d\n", b >= 0);
	show("semget past semmni", semget(IPC_PRIVATE, 0 + 1, 0600) >= 0 ? 0 : -1);
	struct sembuf three[3] = { { 0, 1, 0 }, { 0, 1, 0 }, { 0, -2, 0 } };
	show("semop 3 ops > semopm", semop(a, three, 3));
	show("kernel/sem semmni too big", write_file("/proc/sys/kernel/sem", "4 5 2 32769\n"));
	show("kernel/sem garbage", write_file("/proc/sys/kernel/sem", "x\n"));
	semctl(a, 0, IPC_RMID);
	semctl(b, 0, IPC_RMID);
	write_file("/proc/sys/kernel/sem", old);
	read_file("/proc/sys/kernel/sem", buf, sizeof buf);
	printf("restored: %d\n", strcmp(buf, old) == 0);
	printf("done\n");
	return 0;
}
