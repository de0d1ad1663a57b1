/*
 * SysV message queues: msgget, msgsnd, msgrcv, msgctl and their errors;
 * msgrcv's selection (msgtyp 0, positive, negative, MSG_EXCEPT), E2BIG and
 * MSG_NOERROR, MSG_COPY, blocking senders and receivers, EINTR, EIDRM,
 * msg_qbytes in bytes and in messages, permissions of another user, the
 * limits of /proc/sys/kernel/msg*, /proc/sysvipc/msg, and a flood of
 * queues filled until EAGAIN. Run natively in a fresh IPC namespace as
 * root, and under tsvisor. Prints relations, never ids.
 */
#include "sysv.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/time.h>

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif
#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif

struct mb {
	long mtype;
	char mtext[9000];
};

static int snd(int id, long type, const char *text, int flg)
{
	struct mb m;
	m.mtype = type;
	size_t n = strlen(text);
	memcpy(m.mtext, text, n);
	return msgsnd(id, &m, n, flg);
}

/* Receives and prints "what: type text" or the error. */
static void rcv(const char *what, int id, size_t sz, long typ, int flg)
{
	struct mb m;
	memset(&m, 0, sizeof m);
	ssize_t n = msgrcv(id, &m, sz, typ, flg);
	if (n < 0)
		printf("%s: -1 %s\n", what, errname(errno));
	else
		printf("%s: %zd type %ld \"%.*s\"\n", what, n, m.mtype, (int)n, m.mtext);
}

static long qnum(int id)
{
	struct msqid_ds ds;
	if (msgctl(id, IPC_STAT, &ds) != 0)
		return -errno;
	return (long)ds.msg_qnum;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const key_t key = 0x3e5a0001;
	struct msqid_ds ds;

	/* ---- msgget ---- */
	show("msgget missing key", msgget(key, 0600));
	int id = msgget(key, IPC_CREAT | 0600);
	printf("msgget create: %d\n", id >= 0);
	show("msgget IPC_EXCL", msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	printf("msgget again: same %d\n", msgget(key, 0) == id);
	int p1 = msgget(IPC_PRIVATE, 0600), p2 = msgget(IPC_PRIVATE, 0600);
	printf("msgget private twice: distinct %d\n", p1 >= 0 && p2 >= 0 && p1 != p2);
	msgctl(p1, IPC_RMID, NULL);
	msgctl(p2, IPC_RMID, NULL);

	/* ---- msgsnd's errors ---- */
	show("msgsnd mtype 0", snd(id, 0, "x", IPC_NOWAIT));
	show("msgsnd mtype -1", snd(id, -1, "x", IPC_NOWAIT));
	struct mb big;
	big.mtype = 1;
	show("msgsnd 8193 bytes", msgsnd(id, &big, 8193, IPC_NOWAIT));
	show("msgsnd (size_t)-1", msgsnd(id, &big, (size_t)-1, IPC_NOWAIT));
	show("msgsnd EFAULT", msgsnd(id, (void *)1, 1, IPC_NOWAIT));
	show("msgsnd bad id", snd(id + 7 * 32768, 1, "x", IPC_NOWAIT));
	show("msgsnd negative id", snd(-1, 1, "x", IPC_NOWAIT));
	show("msgsnd 8192 bytes", msgsnd(id, &big, 8192, IPC_NOWAIT));
	rcv("take it", id, 9000, 0, IPC_NOWAIT);

	/* ---- msgrcv's selection ---- */
	snd(id, 1, "one", 0);
	snd(id, 2, "two-a", 0);
	snd(id, 3, "three", 0);
	snd(id, 2, "two-b", 0);
	snd(id, 5, "five", 0);
	show("msgsnd empty message", snd(id, 4, "", 0));
	msgctl(id, IPC_STAT, &ds);
	printf("stat: qnum %lu cbytes %lu qbytes %lu lspid me %d lrpid me %d stime set %d rtime %d mode %o\n",
	       (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes, ds.msg_lspid == getpid(),
	       ds.msg_lrpid == getpid(), ds.msg_stime != 0, ds.msg_rtime != 0, ds.msg_perm.mode);
	rcv("copy 0", id, 100, 0, MSG_COPY | IPC_NOWAIT);
	rcv("copy 2", id, 100, 2, MSG_COPY | IPC_NOWAIT);
	rcv("copy 9", id, 100, 9, MSG_COPY | IPC_NOWAIT);
	rcv("copy without IPC_NOWAIT", id, 100, 0, MSG_COPY);
	rcv("copy with MSG_EXCEPT", id, 100, 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT);
	printf("copies leave them: qnum %ld\n", qnum(id));
	rcv("type 2", id, 100, 2, IPC_NOWAIT);
	rcv("type 7", id, 100, 7, IPC_NOWAIT);
	rcv("except 1", id, 100, 1, MSG_EXCEPT | IPC_NOWAIT);
	rcv("lowest up to 4", id, 100, -4, IPC_NOWAIT);
	rcv("lowest up to 4 again", id, 100, -4, IPC_NOWAIT);
	rcv("E2BIG", id, 2, 0, IPC_NOWAIT);
	rcv("MSG_NOERROR", id, 2, 0, MSG_NOERROR | IPC_NOWAIT);
	rcv("LONG_MIN", id, 100, (long)(-9223372036854775807L - 1), IPC_NOWAIT);
	rcv("any", id, 100, 0, IPC_NOWAIT);
	rcv("empty", id, 100, 0, IPC_NOWAIT);
	rcv("negative size", id, (size_t)-1, 0, IPC_NOWAIT);
	rcv("bad id", id + 7 * 32768, 100, 0, IPC_NOWAIT);
	snd(id, 1, "lost", 0);
	show("msgrcv EFAULT", msgrcv(id, (void *)1, 100, 0, IPC_NOWAIT));
	printf("after EFAULT: qnum %ld\n", qnum(id));
	msgctl(id, IPC_STAT, &ds);
	printf("lrpid me %d rtime set %d\n", ds.msg_lrpid == getpid(), ds.msg_rtime != 0);

	/* ---- blocking ---- */
	pid_t p = fork();
	if (p == 0) {
		rcv("child: blocked receive", id, 100, 9, 0);
		_exit(0);
	}
	usleep(50000);
	snd(id, 8, "eight", 0);
	snd(id, 9, "nine", 0);
	child_status(p);
	printf("eight still there: qnum %ld\n", qnum(id));
	rcv("eight", id, 100, 8, IPC_NOWAIT);

	msgctl(id, IPC_STAT, &ds);
	ds.msg_qbytes = 10;
	show("IPC_SET qbytes 10", msgctl(id, IPC_SET, &ds));
	show("fill 8", snd(id, 1, "12345678", IPC_NOWAIT));
	show("3 more do not fit", snd(id, 1, "abc", IPC_NOWAIT));
	show("2 more fit", snd(id, 1, "ab", IPC_NOWAIT));
	p = fork();
	if (p == 0) {
		show("child: blocked send", snd(id, 2, "xyz", 0));
		_exit(0);
	}
	usleep(50000);
	printf("while it waits: qnum %ld\n", qnum(id));
	ssize_t room = msgrcv(id, &big, 100, 1, IPC_NOWAIT);
	child_status(p);
	printf("made room: %zd\n", room);
	printf("after: qnum %ld\n", qnum(id));
	while (msgrcv(id, &big, 9000, 0, IPC_NOWAIT) >= 0)
		;
	ds.msg_qbytes = 3;
	msgctl(id, IPC_SET, &ds);
	int n = 0;
	while (snd(id, 1, "", IPC_NOWAIT) == 0)
		n++;
	printf("empty messages in qbytes 3: %d, then %s\n", n, errname(errno));
	while (msgrcv(id, &big, 9000, 0, IPC_NOWAIT) >= 0)
		;
	ds.msg_qbytes = 16384;
	msgctl(id, IPC_SET, &ds);

	/* A signal ends a wait with EINTR when a handler runs. */
	p = fork();
	if (p == 0) {
		alarm_soon();
		rcv("child: interrupted receive", id, 100, 0, 0);
		_exit(0);
	}
	child_status(p);

	/* ---- IPC_INFO, MSG_INFO, MSG_STAT ---- */
	snd(id, 1, "abcd", 0);
	struct msginfo mi;
	int maxidx = msgctl(0, IPC_INFO, (struct msqid_ds *)&mi);
	printf("IPC_INFO: maxidx ok %d msgpool %d msgmap %d msgmax %d msgmnb %d msgmni %d msgssz %d msgtql %d msgseg %u\n",
	       maxidx >= 0, mi.msgpool, mi.msgmap, mi.msgmax, mi.msgmnb, mi.msgmni, mi.msgssz, mi.msgtql, mi.msgseg);
	int maxidx2 = msgctl(0, MSG_INFO, (struct msqid_ds *)&mi);
	printf("MSG_INFO: same maxidx %d queues %d messages %d bytes %d\n", maxidx2 == maxidx, mi.msgpool, mi.msgmap, mi.msgtql);
	int found = 0;
	for (int i = 0; i <= maxidx; i++)
		if (msgctl(i, MSG_STAT, &ds) == id)
			found = ds.msg_qnum == 1;
	printf("MSG_STAT by index finds it: %d\n", found);
	printf("MSG_STAT_ANY: %d\n", msgctl(id % 32768, MSG_STAT_ANY, &ds) == id);
	show("msgctl bad cmd", msgctl(id, 99, &ds));
	show("msgctl negative id", msgctl(-1, IPC_STAT, &ds));
	show("msgctl IPC_STAT EFAULT", msgctl(id, IPC_STAT, (void *)1));
	show("msgctl IPC_SET EFAULT", msgctl(id, IPC_SET, (void *)1));
	char buf[4096];
	read_file("/proc/sysvipc/msg", buf, sizeof buf);
	int lines = count_lines(buf);
	printf("sysvipc/msg lines: %d, shows 0600, 4 bytes, 1 message: %d\n", lines, strstr(buf, "  600           4          1 ") != NULL);

	/* ---- another user ---- */
	p = fork();
	if (p == 0) {
		become_nobody();
		show("other: msgget asking read", msgget(key, 0400));
		show("other: msgsnd", snd(id, 1, "x", IPC_NOWAIT));
		rcv("other: msgrcv", id, 100, 0, IPC_NOWAIT);
		show("other: IPC_STAT", msgctl(id, IPC_STAT, &ds));
		show("other: IPC_RMID", msgctl(id, IPC_RMID, NULL));
		_exit(0);
	}
	child_status(p);
	msgctl(id, IPC_STAT, &ds);
	ds.msg_perm.mode = 0622;
	show("IPC_SET mode 0622", msgctl(id, IPC_SET, &ds));
	p = fork();
	if (p == 0) {
		become_nobody();
		show("other 0622: msgsnd", snd(id, 1, "x", IPC_NOWAIT));
		rcv("other 0622: msgrcv", id, 100, 0, IPC_NOWAIT);
		_exit(0);
	}
	child_status(p);
	msgctl(id, IPC_STAT, &ds);
	printf("mode %o qbytes %lu qnum %lu\n", ds.msg_perm.mode, (unsigned long)ds.msg_qbytes, (unsigned long)ds.msg_qnum);

	/* ---- IPC_RMID wakes waiters with EIDRM ---- */
	while (msgrcv(id, &big, 9000, 0, IPC_NOWAIT) >= 0)
		;
	p = fork();
	if (p == 0) {
		rcv("child: receive on removed queue", id, 100, 0, 0);
		_exit(0);
	}
	usleep(50000);
	int rmr = msgctl(id, IPC_RMID, NULL);
	child_status(p);
	show("IPC_RMID", rmr);
	show("IPC_RMID again", msgctl(id, IPC_RMID, NULL));

	/* ---- limits ---- */
	char old[3][64];
	const char *names[3] = { "/proc/sys/kernel/msgmax", "/proc/sys/kernel/msgmnb", "/proc/sys/kernel/msgmni" };
	for (int i = 0; i < 3; i++) {
		read_file(names[i], old[i], sizeof old[i]);
		printf("%s: %s", names[i] + 17, old[i]);
	}
	show("msgmax = 100", write_file(names[0], "100\n"));
	show("msgmnb = 200", write_file(names[1], "200\n"));
	show("msgmni = 1", write_file(names[2], "1\n"));
	show("msgmni too big", write_file(names[2], "32769\n"));
	int q = msgget(IPC_PRIVATE, 0600);
	printf("one queue: %d\n", q >= 0);
	show("second queue", msgget(IPC_PRIVATE, 0600));
	msgctl(q, IPC_STAT, &ds);
	printf("new queue's qbytes: %lu\n", (unsigned long)ds.msg_qbytes);
	show("msgsnd 101", msgsnd(q, &big, 101, IPC_NOWAIT));
	show("msgsnd 100", msgsnd(q, &big, 100, IPC_NOWAIT));
	msgctl(q, IPC_RMID, NULL);
	for (int i = 0; i < 3; i++)
		write_file(names[i], old[i]);

	/* ---- a flood: 200 queues filled until EAGAIN ---- */
	int ids[200], total = 0;
	for (int i = 0; i < 200; i++) {
		ids[i] = msgget(IPC_PRIVATE, 0600);
		big.mtype = 1 + i;
		while (msgsnd(ids[i], &big, 1000, IPC_NOWAIT) == 0)
			total++;
	}
	printf("flood: %d messages, then %s\n", total, errname(errno));
	for (int i = 0; i < 200; i++)
		msgctl(ids[i], IPC_RMID, NULL);
	printf("done\n");
	return 0;
}
